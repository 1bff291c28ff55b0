/**
 * Webhooks whose target is a broker (docs/webhooks.md §9, docs/outbound.md §2): record writes
 * reach a RabbitMQ queue bound to `plinth.events` and a NATS JetStream subscriber on
 * `plinth.<collection>.>` — exactly the committed events, in order, with the delivery's id —
 * and a write that rolled back publishes nothing. The delivery log shows the target's
 * password masked. Skipped, with the reason printed, without the brokers.
 */
import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord } from './helpers/collections.js';
import { amqpTestUrl, natsTestUrl } from './helpers/test-brokers.js';
import { eventually } from './helpers/jobs.js';
import { BadRequestError } from '../src/errors/api-errors.js';
import { HookHandles } from './helpers/hook-test-server.js';

const AMQP_URL = await amqpTestUrl();
const NATS_URL = await natsTestUrl();

let s: TestServer;
let token: string;
const hooks = new HookHandles();

beforeAll(async () => {
  s = await startTestServer({ outboundAllow: ['127.0.0.0/8', '::1/128'] }, {
    webhookDelivery: { attempts: 3, backoff: { type: 'fixed', delayMs: 50 }, timeoutMs: 5_000 },
  });
  token = await s.adminToken();
});
afterAll(async () => {
  hooks.unbindAll();
  await s.close();
});

/** A collection of the test's own, whose creates fail after the write when status is "fail". */
async function collection(): Promise<string> {
  const name = `c${randomBytes(5).toString('hex')}`;
  await createCollection(s, token, { name, type: 'base', fields: [{ name: 'status', type: 'text' }] });
  hooks.track(s.node.onRecordCreate(async (e) => {
    await e.next();
    if (e.record.getString('status') === 'fail') throw new BadRequestError('refused after the write');
  }, name));
  return name;
}

/** Creates, updates (twice) and a failed create: the events a consumer must get are the first three. */
async function writes(c: string): Promise<string> {
  const id = await createRecord(s, token, c, { status: 'new' });
  await s.request('PATCH', `/api/collections/${c}/records/${id}`, { token, body: { status: 'paid' } });
  expect((await s.request('POST', `/api/collections/${c}/records`, { token, body: { status: 'fail' } })).status).toBe(400);
  await s.request('PATCH', `/api/collections/${c}/records/${id}`, { token, body: { status: 'shipped' } });
  return id;
}

describe.skipIf(!AMQP_URL)('webhooks to RabbitMQ', () => {
  let consumer: amqp.ChannelModel;
  beforeAll(async () => {
    consumer = await amqp.connect(AMQP_URL!);
  });
  afterAll(async () => {
    await consumer?.close();
  });

  it('publishes exactly the committed events of a record, in order, to the plinth.events exchange', async () => {
    const c = await collection();
    const ch = await consumer.createChannel();
    await ch.assertExchange('plinth.events', 'topic', { durable: true });
    const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, 'plinth.events', `plinth.${c}.#`);
    const got: amqp.ConsumeMessage[] = [];
    await ch.consume(queue, (m) => m && got.push(m), { noAck: true });

    const w = await s.request('POST', '/api/webhooks', { token, body: { name: 'rabbit', url: AMQP_URL, events: [`${c}.*`] } });
    expect(w.status).toBe(200);
    if (new URL(AMQP_URL!).password) expect(w.body.url).toContain(':***@');
    const id = await writes(c);
    await eventually(() => (got.length >= 3 ? true : undefined), 'three messages');
    const bodies = got.map((m) => JSON.parse(m.content.toString()));
    expect(bodies.map((b) => [b.type, b.record.status])).toEqual([[`${c}.create`, 'new'], [`${c}.update`, 'paid'], [`${c}.update`, 'shipped']]);
    expect(bodies.every((b) => b.record.id === id)).toBe(true);
    expect(got.map((m) => m.fields.routingKey)).toEqual([`plinth.${c}.create`, `plinth.${c}.update`, `plinth.${c}.update`]);
    const log = (await s.request('GET', `/api/webhooks/${w.body.id}/deliveries`, { token })).body.items;
    expect(new Set(got.map((m) => m.properties.messageId))).toEqual(new Set(log.map((d: { id: string }) => d.id)));
    expect(log.every((d: { status: string }) => d.status === 'done')).toBe(true);
    await ch.close();
    await s.request('DELETE', `/api/webhooks/${w.body.id}`, { token });
  });
});

describe.skipIf(!NATS_URL)('webhooks to NATS JetStream', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await natsConnect({ servers: new URL(NATS_URL!).host });
  });
  afterAll(async () => {
    await nc?.close();
  });

  it('publishes exactly the committed events of a record, in order, on plinth.<collection>.<action>', async () => {
    const c = await collection();
    const got: { subject: string; id: string | undefined; body: any }[] = [];
    const sub = nc.subscribe(`plinth.${c}.>`, { callback: (_err, m) => got.push({ subject: m.subject, id: m.headers?.get('Nats-Msg-Id'), body: JSON.parse(m.string()) }) });
    const w = await s.request('POST', '/api/webhooks', { token, body: { name: 'nats', url: NATS_URL, events: [`${c}.create`, `${c}.update`] } });
    expect(w.status).toBe(200);
    await writes(c);
    await eventually(() => (got.length >= 3 ? true : undefined), 'three messages');
    expect(got.map((m) => [m.subject, m.body.record.status])).toEqual([[`plinth.${c}.create`, 'new'], [`plinth.${c}.update`, 'paid'], [`plinth.${c}.update`, 'shipped']]);
    const log = (await s.request('GET', `/api/webhooks/${w.body.id}/deliveries`, { token })).body.items;
    expect(new Set(got.map((m) => m.id))).toEqual(new Set(log.map((d: { id: string }) => d.id)));
    sub.unsubscribe();
    await s.request('DELETE', `/api/webhooks/${w.body.id}`, { token });
  });
});
