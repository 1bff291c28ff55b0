/**
 * The realtime budgets (issue 10, item 6) at the HTTP boundary: streams per client IP
 * (the forwarded address behind a trusted proxy) and per node, PocketBase's limits
 * on a subscribe call, the budget of distinct option sets per client, and delivery
 * to many subscribers whose options all differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

/** One raw SSE stream: its client id and everything it received after PB_CONNECT. */
interface Stream {
  status: number;
  body: any;
  clientId: string;
  text: () => string;
  close: () => void;
}

async function openStream(s: TestServer, ip?: string): Promise<Stream> {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/realtime`, { headers: ip ? { 'X-Forwarded-For': ip } : {}, signal: controller.signal });
  if (res.headers.get('content-type') !== 'text/event-stream') {
    return { status: res.status, body: await res.json(), clientId: '', text: () => '', close: () => undefined };
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let first = '';
  while (!first.includes('\n\n')) first += decoder.decode((await reader.read()).value);
  let text = '';
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      text += decoder.decode(value);
    }
  })();
  return { status: res.status, body: null, clientId: /^id:(.*)\n/.exec(first)![1]!, text: () => text, close: () => controller.abort() };
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `collection/*` with the given `options.query`. */
function topic(collection: string, query: Record<string, string>): string {
  return `${collection}/*?options=${encodeURIComponent(JSON.stringify({ query }))}`;
}

describe('streams per client IP and per node', () => {
  let s: TestServer;
  beforeAll(async () => {
    // Behind a trusted proxy (this test's loopback), the client IP is the forwarded address.
    s = await startTestServer({ trustedProxies: ['127.0.0.1'], maxRealtimeStreamsPerIp: 3, maxRealtimeStreams: 5 });
  });
  afterAll(async () => { await s?.close(); });

  it('answers 429 beyond the per-IP cap and 503 beyond the node cap, opening nothing; a closed stream frees its place', async () => {
    const a = [await openStream(s, '10.0.0.1'), await openStream(s, '10.0.0.1'), await openStream(s, '10.0.0.1')];
    expect(a.map((x) => x.status)).toEqual([200, 200, 200]);
    const refused = await openStream(s, '10.0.0.1');
    expect(refused).toMatchObject({ status: 429, body: { status: 429, message: 'Too Many Requests.', data: {} } });
    expect(s.node.realtime.size).toBe(3);

    // Another forwarded address is another client, though the proxy's address is the same.
    const b = [await openStream(s, '10.0.0.2'), await openStream(s, '10.0.0.2')];
    expect(b.map((x) => x.status)).toEqual([200, 200]);
    const full = await openStream(s, '10.0.0.3');
    expect(full).toMatchObject({ status: 503, body: { status: 503, message: 'Service temporarily unavailable.', data: {} } });
    expect(s.node.realtime.size).toBe(5);

    a[0]!.close();
    await until(() => s.node.realtime.size === 4, 'the server to free the closed stream');
    const again = await openStream(s, '10.0.0.1');
    expect(again.status).toBe(200);
    for (const x of [...a, ...b, again]) x.close();
    await until(() => s.node.realtime.size === 0, 'the streams to close');
  });

  it('counts an IPv6 client by its /64', async () => {
    const opened = await Promise.all(['2001:db8::1', '2001:db8::2', '2001:db8::3'].map((ip) => openStream(s, ip)));
    expect(opened.map((x) => x.status)).toEqual([200, 200, 200]);
    expect((await openStream(s, '2001:db8::ffff')).status).toBe(429);
    for (const x of opened) x.close();
    await until(() => s.node.realtime.size === 0, 'the streams to close');
  });
});

describe('subscription budgets', () => {
  let s: TestServer;
  let items: string;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = await s.adminToken();
    items = uniqueName('items');
    const made = await s.request('POST', '/api/collections', {
      token,
      body: { name: items, type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'n', type: 'number' }, { name: 't', type: 'text' }] },
    });
    expect(made.status).toBe(200);
  });
  afterAll(async () => { await s?.close(); });

  const subscribe = (clientId: string, subscriptions: unknown) => s.request('POST', '/api/realtime', { body: { clientId, subscriptions } });

  it.each([
    ['more than 1000 subscriptions', () => Array.from({ length: 1001 }, (_, i) => `${items}/r${i}`), (data: any) => {
      expect(data.subscriptions).toMatchObject({ code: 'validation_length_too_long', message: 'The length must be no more than 1000.' });
    }],
    ['a subscription over 2500 chars', () => [`${items}/*`, `${items}/${'x'.repeat(2500)}`], (data: any) => {
      expect(data.subscriptions['1']).toMatchObject({ code: 'validation_length_too_long', message: 'The length must be no more than 2500.' });
    }],
    ['more than 32 distinct option sets', () => Array.from({ length: 33 }, (_, i) => topic(items, { filter: `n != ${i}` })), (data: any) => {
      expect(data.subscriptions).toMatchObject({ code: 'validation_too_many_subscription_options', params: { max: 32 } });
    }],
    ['33 option sets spread over record and collection topics', () => [
      ...Array.from({ length: 16 }, (_, i) => topic(items, { expand: `x${i}` })),
      ...Array.from({ length: 17 }, (_, i) => `${items}/rec${i}?options=${encodeURIComponent(JSON.stringify({ headers: { 'x-n': String(i) } }))}`),
    ], (data: any) => {
      expect(data.subscriptions.code).toBe('validation_too_many_subscription_options');
    }],
  ])('answers 400 for %s and keeps the previous subscriptions', async (_name, make, check) => {
    const stream = await openStream(s);
    expect((await subscribe(stream.clientId, [`${items}/*`])).status).toBe(204);
    const refused = await subscribe(stream.clientId, make());
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 400, message: 'Something went wrong while processing your request.' });
    check(refused.body.data);
    const marker = uniqueName('kept');
    expect((await s.request('POST', `/api/collections/${items}/records`, { body: { t: marker } })).status).toBe(200);
    await until(() => stream.text().includes(marker), 'the event of the kept subscription');
    expect(stream.text()).toContain(`event:${items}/*\n`);
    stream.close();
  });

  it('accepts 1000 subscriptions without options (one option set) and exactly 32 option sets', async () => {
    const stream = await openStream(s);
    expect((await subscribe(stream.clientId, Array.from({ length: 1000 }, (_, i) => `${items}/r${i}`))).status).toBe(204);
    const sets = Array.from({ length: 31 }, (_, i) => topic(items, { filter: `n != ${i}` }));
    expect((await subscribe(stream.clientId, [`${items}/*`, ...sets, ...sets.map((t) => t.replace('/*?', '/abc?'))])).status).toBe(204);
    stream.close();
  });
});

describe('delivery to many subscribers whose options all differ', () => {
  let s: TestServer;
  let items: string;
  beforeAll(async () => {
    s = await startTestServer();
    const token = await s.adminToken();
    const owners = uniqueName('owners');
    const madeOwners = await s.request('POST', '/api/collections', {
      token, body: { name: owners, type: 'base', listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] },
    });
    items = uniqueName('items');
    const made = await s.request('POST', '/api/collections', {
      token,
      body: {
        name: items, type: 'base', listRule: '', viewRule: '', createRule: '',
        fields: [{ name: 'n', type: 'number' }, { name: 'owner', type: 'relation', collectionId: madeOwners.body.id, maxSelect: 1 }],
      },
    });
    expect(made.status).toBe(200);
    const owner = await s.request('POST', `/api/collections/${owners}/records`, { token, body: { name: 'ann' } });
    ownerId = owner.body.id;
  });
  afterAll(async () => { await s?.close(); });
  let ownerId = '';

  it('sends each of 60 streams (each with its own filter, some with expand and fields) exactly the events its filter admits, in order, shaped by its options', async () => {
    const streams = await Promise.all(Array.from({ length: 60 }, () => openStream(s)));
    const topics = streams.map((_, i) => topic(items, i % 3 === 0
      ? { filter: `n >= ${i} && n < ${i + 15}`, expand: 'owner', fields: 'n,expand.owner.name' }
      : { filter: `n >= ${i} && n < ${i + 15}` }));
    await Promise.all(streams.map(async (st, i) => expect((await s.request('POST', '/api/realtime', { body: { clientId: st.clientId, subscriptions: [topics[i]] } })).status).toBe(204)));
    const written: number[] = [];
    for (let n = 0; n < 80; n++) {
      expect((await s.request('POST', `/api/collections/${items}/records`, { body: { n, owner: ownerId } })).status).toBe(200);
      written.push(n);
    }
    const expected = streams.map((_, i) => written.filter((n) => n >= i && n < i + 15));
    const received = () => streams.map((st) => [...st.text().matchAll(/^data:(.*)$/gm)].map((m) => JSON.parse(m[1]!)));
    await until(() => received().every((events, i) => events.length === expected[i]!.length), 'every stream to receive its events');
    // One more write after the others proves nothing extra is still on its way.
    const barrier = 5;
    expect((await s.request('POST', `/api/collections/${items}/records`, { body: { n: barrier, owner: ownerId } })).status).toBe(200);
    // Streams 0–5 admit it: once each has it, every earlier event was written to every stream.
    await until(() => received().every((events, i) => events.length === expected[i]!.length + (i <= barrier ? 1 : 0)), 'the barrier event');
    received().forEach((events, i) => {
      const mine = events.slice(0, expected[i]!.length);
      expect(mine.map((e) => e.record.n), `stream ${i}`).toEqual(expected[i]);
      expect(events.slice(expected[i]!.length).map((e) => e.record.n), `stream ${i}`).toEqual(i <= barrier ? [barrier] : []);
      for (const e of mine) {
        expect(e.action).toBe('create');
        if (i % 3 === 0) expect(e.record).toEqual({ n: e.record.n, expand: { owner: { name: 'ann' } } });
        else expect(e.record).toMatchObject({ collectionName: items, owner: ownerId });
      }
      expect(streams[i]!.text()).toContain(`event:${topics[i]}\n`);
    });
    for (const st of streams) st.close();
  });
});
