/**
 * The broker publishers against real brokers (docs/outbound.md §3, §4): what a
 * consumer receives (exactly the published messages, in order, with id and headers),
 * a target's own exchange or stream, clear and bounded failures (wrong password,
 * nothing listening, an address --outboundAllow does not open), and a connection
 * dropped under the publisher. Skipped, with the reason printed, without the brokers.
 */
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { AckPolicy, DeliverPolicy, connect as natsConnect, nanos, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerPublishers } from '../src/adapters/brokers/create-broker-publishers.js';
import type { BrokerMessage, BrokerPublishers } from '../src/core/events/broker-publisher.js';
import { OutboundPolicy, type ResolveAll } from '../src/tools/outbound-policy.js';
import { amqpTestUrl, natsTestUrl, startPrivateNats, type PrivateNats } from './helpers/test-brokers.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

const AMQP_URL = await amqpTestUrl();
const NATS_URL = await natsTestUrl();
const LOOPBACK = new OutboundPolicy(['127.0.0.0/8', '::1/128']);
/** Long enough never to be what ends a test; a failure must come before it. */
const BOUND_MS = 20_000;

const unique = () => randomBytes(5).toString('hex');

/** `n` messages of one collection of the test's own. */
function messages(collection: string, n: number): BrokerMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `msg${i}_${collection}`,
    subject: `plinth.${collection}.create`,
    body: JSON.stringify({ type: `${collection}.create`, collection, record: { id: `r${i}` } }),
    headers: { 'webhook-id': `msg${i}_${collection}`, 'x-test': 'yes' },
  }));
}

async function publishAll(publishers: BrokerPublishers, url: string, list: BrokerMessage[]): Promise<void> {
  for (const m of list) await publishers.publisherFor(url).publish(m, AbortSignal.timeout(BOUND_MS));
}

/** The error a publish ends with (it must end, before BOUND_MS). */
async function failure(publishers: BrokerPublishers, url: string, message: BrokerMessage): Promise<string> {
  const err = await publishers.publisherFor(url).publish(message, AbortSignal.timeout(BOUND_MS)).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  const text = (err as Error).message;
  expect(text).not.toContain('timed out');
  return text;
}

/** Polls `read` until it holds `n` items (or BOUND_MS passed) and returns them. */
async function collect<T>(read: () => T[], n: number): Promise<T[]> {
  for (const start = Date.now(); read().length < n && Date.now() - start < BOUND_MS;) await new Promise((r) => setTimeout(r, 20));
  return read();
}

describe.skipIf(!AMQP_URL)('RabbitMQ publisher', () => {
  const url = AMQP_URL!;
  let consumer: amqp.ChannelModel;
  const publishers = createBrokerPublishers({ policy: LOOPBACK, connectTimeoutMs: 5000 });

  beforeAll(async () => {
    consumer = await amqp.connect(url);
  });
  afterAll(async () => {
    await publishers.closeAll();
    await consumer?.close();
  });

  /** A queue of the test's own on `exchange`, bound with `pattern`; returns what it received so far. */
  async function listen(exchange: string, pattern: string): Promise<() => amqp.ConsumeMessage[]> {
    const ch = await consumer.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, exchange, pattern);
    const got: amqp.ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m), { noAck: true });
    return () => got;
  }

  it('publishes to the durable topic exchange plinth.events: persistent JSON, routed by subject, in order, with id and headers', async () => {
    const collection = `c${unique()}`;
    const received = await listen('plinth.events', `plinth.${collection}.#`);
    const sent = messages(collection, 20);
    await publishAll(publishers, url, sent);
    const sentinel = messages(`${collection}`, 21).at(-1)!;
    await publishAll(publishers, url, [sentinel]);
    const got = await collect(received, 21);
    expect(got.map((m) => m.properties.messageId)).toEqual([...sent, sentinel].map((m) => m.id));
    for (const [i, m] of sent.entries()) {
      expect(m.body).toBe(got[i]!.content.toString());
      expect(got[i]!.fields.routingKey).toBe(m.subject);
      expect(got[i]!.properties).toMatchObject({ contentType: 'application/json', deliveryMode: 2, headers: m.headers });
    }
  });

  it('publishes to the exchange the target names (?exchange=), bound with plinth.#', async () => {
    const exchange = `plinth.test.${unique()}`;
    const received = await listen(exchange, 'plinth.#');
    const target = `${url}${url.includes('?') ? '&' : '?'}exchange=${exchange}`;
    const sent = messages(`c${unique()}`, 5);
    await publishAll(publishers, target, sent);
    expect((await collect(received, 5)).map((m) => m.properties.messageId)).toEqual(sent.map((m) => m.id));
    const ch = await consumer.createChannel();
    await ch.deleteExchange(exchange);
    await ch.close();
  });

  it('fails clearly, and without the password, on a wrong password, a closed port, or an address not allowed', async () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const refusedLogin = await failure(publishers, wrong.toString(), messages('x', 1)[0]!);
    expect(refusedLogin).toMatch(/ACCESS.REFUSED|403/);
    expect(refusedLogin).not.toContain('not-the-password');
    const nothing = new URL(url);
    nothing.port = '1';
    expect(await failure(publishers, nothing.toString(), messages('x', 1)[0]!)).toContain('ECONNREFUSED');
    const strict = createBrokerPublishers({ policy: new OutboundPolicy([]) });
    expect(await failure(strict, url, messages('x', 1)[0]!)).toContain('refused broker 127.0.0.1: loopback');
    await strict.closeAll();
    // An existing exchange of another type is not redeclared: RabbitMQ's refusal is the error.
    const fanout = `plinth.test.${unique()}`;
    const ch = await consumer.createChannel();
    await ch.assertExchange(fanout, 'fanout', { durable: true });
    expect(await failure(publishers, `${url}${url.includes('?') ? '&' : '?'}exchange=${fanout}`, messages('x', 1)[0]!)).toMatch(/declaring exchange .* failed: .*PRECONDITION.FAILED/);
    await ch.deleteExchange(fanout);
    await ch.close();
  });

  it('checks the broker host again when the socket connects: a DNS answer that changes after the check is refused', async () => {
    const broker = new URL(url);
    let lookups = 0;
    // The first answer (the check before connecting) is public; the socket's own lookup then gets loopback.
    const rebinding: ResolveAll = (_hostname, callback) => callback(null, [{ address: lookups++ === 0 ? '93.184.215.14' : broker.hostname, family: 4 }]);
    const guarded = createBrokerPublishers({ policy: new OutboundPolicy([], rebinding) });
    const target = `amqp://guest:guest@rebind.test:${broker.port || 5672}`;
    expect(await failure(guarded, target, messages('x', 1)[0]!)).toContain(`refused rebind.test (${broker.hostname}: loopback)`);
    expect(lookups).toBe(2);
    await guarded.closeAll();
  });

  it('releases a target: its connection closes, and the next publish opens a new one', async () => {
    const collection = `c${unique()}`;
    const received = await listen('plinth.events', `plinth.${collection}.#`);
    const [one, two] = messages(collection, 2);
    await publishAll(publishers, url, [one!]);
    const before = publishers.publisherFor(url);
    await publishers.release(url);
    await expect(before.publish(two!, AbortSignal.timeout(BOUND_MS))).rejects.toThrow('the publisher is closed');
    expect(publishers.publisherFor(url)).not.toBe(before);
    await publishAll(publishers, url, [two!]);
    expect((await collect(received, 2)).map((m) => m.properties.messageId)).toEqual([one!.id, two!.id]);
  });

  it('reconnects after the connection drops', async () => {
    const broker = new URL(url);
    const proxy = await startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    const through = new URL(url);
    through.port = String(proxy.port);
    const collection = `c${unique()}`;
    const received = await listen('plinth.events', `plinth.${collection}.#`);
    const [first, lost, after] = messages(collection, 3);
    await publishAll(publishers, through.toString(), [first!]);
    await proxy.cut();
    await failure(publishers, through.toString(), lost!);
    await proxy.restore();
    await publishAll(publishers, through.toString(), [after!]);
    expect((await collect(received, 2)).map((m) => m.properties.messageId)).toEqual([first!.id, after!.id]);
    await proxy.close();
  });
});

describe.skipIf(!NATS_URL)('NATS JetStream publisher', () => {
  const url = NATS_URL!;
  let nc: NatsConnection;
  const publishers = createBrokerPublishers({ policy: LOOPBACK, connectTimeoutMs: 5000 });
  const privates: PrivateNats[] = [];

  beforeAll(async () => {
    nc = await natsConnect({ servers: new URL(url).host });
  });
  afterAll(async () => {
    await publishers.closeAll();
    await nc?.close();
    for (const p of privates) await p.stop();
  });

  /** The messages of `stream` on `subject` (a filter), in stream order, read by a fresh consumer that acks nothing. */
  async function read(conn: NatsConnection, stream: string, subject: string) {
    const jsm = await conn.jetstreamManager();
    const info = await jsm.consumers.add(stream, { filter_subject: subject, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, inactive_threshold: nanos(60_000) });
    const got: { id: string | undefined; subject: string; body: string; test: string | undefined }[] = [];
    if (info.num_pending > 0) {
      const batch = await (await conn.jetstream().consumers.get(stream, info.name)).fetch({ max_messages: info.num_pending, expires: 5000 });
      for await (const m of batch) got.push({ id: m.headers?.get('Nats-Msg-Id'), subject: m.subject, body: m.string(), test: m.headers?.get('x-test') });
    }
    await jsm.consumers.delete(stream, info.name);
    return got;
  }

  it('creates PLINTH_EVENTS over plinth.> when missing and publishes with acks, in order, with Nats-Msg-Id and headers', async () => {
    const collection = `c${unique()}`;
    const sent = messages(collection, 20);
    await publishAll(publishers, url, sent);
    const info = await (await nc.jetstreamManager()).streams.info('PLINTH_EVENTS');
    expect(info.config.subjects).toContain('plinth.>');
    const got = await read(nc, 'PLINTH_EVENTS', `plinth.${collection}.>`);
    expect(got).toEqual(sent.map((m) => ({ id: m.id, subject: m.subject, body: m.body, test: 'yes' })));
    // The same id again inside JetStream's duplicate window is stored once.
    await publishAll(publishers, url, [sent[0]!]);
    expect(await read(nc, 'PLINTH_EVENTS', `plinth.${collection}.>`)).toHaveLength(20);
    await (await nc.jetstreamManager()).streams.purge('PLINTH_EVENTS', { filter: `plinth.${collection}.>` });
  });

  it('uses the stream the target names (?stream=), created when missing, and leaves an existing one as it is', async () => {
    const own = await startPrivateNats();
    if (!own) return;
    privates.push(own);
    const conn = await natsConnect({ servers: `127.0.0.1:${own.port}` });
    const sent = messages(`c${unique()}`, 3);
    await publishAll(publishers, `${own.url}?stream=ORDERS`, sent);
    expect((await read(conn, 'ORDERS', 'plinth.>')).map((m) => m.id)).toEqual(sent.map((m) => m.id));
    // An operator's stream with narrower subjects is not widened: other subjects fail clearly.
    const jsm = await conn.jetstreamManager();
    await jsm.streams.delete('ORDERS');
    await jsm.streams.add({ name: 'NARROW', subjects: ['plinth.orders.>'] });
    const narrow = `${own.url}?stream=NARROW`;
    await publishAll(publishers, narrow, [{ ...sent[0]!, id: 'n1', subject: 'plinth.orders.create' }]);
    expect(await failure(publishers, narrow, { ...sent[0]!, id: 'n2', subject: 'plinth.users.create' })).toContain('no stream captures subject plinth.users.create');
    expect((await jsm.streams.info('NARROW')).config.subjects).toEqual(['plinth.orders.>']);
    expect((await read(conn, 'NARROW', 'plinth.>')).map((m) => m.id)).toEqual(['n1']);
    await conn.close();
  });

  it('fails clearly, and without the password, on a wrong password, a closed port, or an address not allowed', async () => {
    const own = await startPrivateNats({ user: 'plinth', pass: 'right-pass' });
    if (own) {
      privates.push(own);
      const wrong = await failure(publishers, `nats://plinth:wrong-pass@127.0.0.1:${own.port}`, messages('x', 1)[0]!);
      expect(wrong).toMatch(/AUTHORIZATION_VIOLATION|Authorization/i);
      expect(wrong).not.toContain('wrong-pass');
      await publishAll(publishers, `nats://plinth:right-pass@127.0.0.1:${own.port}`, messages('x', 1));
    }
    expect(await failure(publishers, 'nats://127.0.0.1:1', messages('x', 1)[0]!)).toMatch(/CONNECTION_REFUSED|ECONNREFUSED/);
    const strict = createBrokerPublishers({ policy: new OutboundPolicy([]) });
    expect(await failure(strict, url, messages('x', 1)[0]!)).toContain('refused broker 127.0.0.1: loopback');
    await strict.closeAll();
  });

  it('survives a dropped connection: the client reconnects, and a retried publish is stored once', async () => {
    const server = new URL(url);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 4222) });
    const collection = `c${unique()}`;
    const through = `nats://127.0.0.1:${proxy.port}`;
    const [first, after] = messages(collection, 2);
    await publishAll(publishers, through, [first!]);
    await proxy.cut();
    await proxy.restore();
    // A publish sent before the client noticed the drop is lost and times out; the outbox retries
    // it with the same id, which JetStream stores once even if an earlier attempt got through.
    let ok = false;
    for (let attempt = 0; attempt < 3 && !ok; attempt++) {
      ok = await publishers.publisherFor(through).publish(after!, AbortSignal.timeout(BOUND_MS)).then(() => true, () => false);
    }
    expect(ok).toBe(true);
    expect((await read(nc, 'PLINTH_EVENTS', `plinth.${collection}.>`)).map((m) => m.id)).toEqual([first!.id, after!.id]);
    await (await nc.jetstreamManager()).streams.purge('PLINTH_EVENTS', { filter: `plinth.${collection}.>` });
    await proxy.close();
  });
});
