/**
 * Webhook deliveries (docs/webhooks.md §4–§8) to real receivers on loopback: signed POSTs
 * for record writes and custom events, filters, inactive webhooks, nothing for a write that
 * rolled back, order per record through failures, retries to `dead`, the delivery log, a
 * manual retry, the test event, and a hanging receiver that never holds up a request.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/collections.js';
import { startReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';
import { BadRequestError } from '../src/errors/api-errors.js';
import { HookHandles } from './helpers/hook-test-server.js';

let s: TestServer;
let token: string;
const receivers: WebhookReceiver[] = [];
const hooks = new HookHandles();

beforeAll(async () => {
  s = await startTestServer({}, {
    outbound: OutboundHttp.allowingLoopbackForTests(),
    // Retries in milliseconds instead of over a day (docs/webhooks.md §6).
    webhookDelivery: { attempts: 4, backoff: { type: 'exponential', delayMs: 20, maxDelayMs: 100 }, timeoutMs: 1_000 },
  });
  token = await s.adminToken();
});
afterEach(() => hooks.unbindAll());
afterAll(async () => {
  for (const r of receivers) await r.close();
  await s.close();
});

async function receiver(): Promise<WebhookReceiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function collection(): Promise<string> {
  const name = uniqueName('orders');
  await createCollection(s, token, {
    name, type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [{ name: 'status', type: 'text' }, { name: 'secretNote', type: 'text', hidden: true }],
  });
  return name;
}

async function webhook(body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const r = await s.request('POST', '/api/webhooks', { token, body: { name: 'test', ...body } });
  if (r.status !== 200) throw new Error(`webhook create failed: ${r.status} ${r.text}`);
  return r.body;
}

async function deliveries(id: string): Promise<any[]> {
  const r = await s.request('GET', `/api/webhooks/${id}/deliveries?perPage=100`, { token });
  expect(r.status).toBe(200);
  return r.body.items;
}

/** Polls until `check` returns a value (fails after 15 s); no timing is asserted. */
async function until<T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const end = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function verify(secret: string, got: { body: string; headers: Record<string, unknown> }): unknown {
  const headers = Object.fromEntries(Object.entries(got.headers).map(([k, v]) => [k, String(v)]));
  return new Webhook(secret).verify(got.body, headers);
}

describe('record events', () => {
  it('delivers signed POSTs for create, update and delete, with the record before and after', async () => {
    const c = await collection();
    const r = await receiver();
    const w = await webhook({ url: r.url, events: [`${c}.*`] });
    const id = await createRecord(s, token, c, { status: 'new', secretNote: 'internal' });
    await s.request('PATCH', `/api/collections/${c}/records/${id}`, { token, body: { status: 'paid' } });
    await s.request('DELETE', `/api/collections/${c}/records/${id}`, { token });
    const got = await r.waitFor(3);
    const bodies = got.map((g) => verify(w.secret, g as never) as any);
    expect(bodies.map((b) => b.type)).toEqual([`${c}.create`, `${c}.update`, `${c}.delete`]);
    expect(bodies[0]).toMatchObject({ collection: c, record: { id, status: 'new', secretNote: 'internal', collectionName: c } });
    expect(bodies[0].oldRecord).toBeUndefined();
    expect(bodies[1]).toMatchObject({ record: { id, status: 'paid' }, oldRecord: { id, status: 'new' } });
    expect(bodies[2]).toMatchObject({ record: { id, status: 'paid' }, oldRecord: { id, status: 'paid' } });
    expect(typeof bodies[0].timestamp).toBe('string');
    expect(got[0]!.headers['content-type']).toBe('application/json');
    // Each delivery has its own id, kept across retries.
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(3);
    // A signature made with another secret does not verify.
    expect(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, got[0] as never)).toThrow();
  });

  it('never sends password hashes or token keys of auth records', async () => {
    const r = await receiver();
    const w = await webhook({ url: r.url, events: ['users.create'] });
    await createRecord(s, token, 'users', { email: `${uniqueName('u')}@example.com`, password: 'user-password-123', passwordConfirm: 'user-password-123' });
    const [got] = await r.waitFor(1);
    const body = verify(w.secret, got as never) as any;
    expect(body.record.email).toContain('@example.com');
    expect(body.record).not.toHaveProperty('password');
    expect(body.record).not.toHaveProperty('tokenKey');
    await s.request('DELETE', `/api/webhooks/${w.id}`, { token });
  });

  it('sends a record too large for the outbox as its ids, without failing the write', async () => {
    const c = uniqueName('big');
    await createCollection(s, token, { name: c, type: 'base', fields: [{ name: 'data', type: 'json', maxSize: 4_000_000 }] });
    const r = await receiver();
    const w = await webhook({ url: r.url, events: [`${c}.create`] });
    const id = await createRecord(s, token, c, { data: { blob: 'x'.repeat(1_200_000) } });
    const [got] = await r.waitFor(1);
    expect(verify(w.secret, got as never)).toMatchObject({ type: `${c}.create`, truncated: true, record: { id, collectionName: c } });
    expect((got!.json as any).record).not.toHaveProperty('data');
  });

  it('sends only records that match the filter, and the webhook\'s own headers', async () => {
    const c = await collection();
    const r = await receiver();
    const w = await webhook({ url: r.url, events: [`${c}.create`], filter: "status = 'paid'", headers: { Authorization: 'Bearer abc' } });
    await createRecord(s, token, c, { status: 'new' });
    const paid = await createRecord(s, token, c, { status: 'paid' });
    const [got] = await r.waitFor(1);
    expect((verify(w.secret, got as never) as any).record.id).toBe(paid);
    expect(got!.headers.authorization).toBe('Bearer abc');
    expect(await deliveries(w.id)).toHaveLength(1);
  });

  it('sends nothing to an inactive webhook, and follows a *.delete pattern across collections', async () => {
    const [c1, c2] = [await collection(), await collection()];
    const [active, inactive] = [await receiver(), await receiver()];
    const off = await webhook({ url: inactive.url, events: ['*'], active: false });
    const deletes = await webhook({ url: active.url, events: ['*.delete'] });
    const a = await createRecord(s, token, c1, { status: 'x' });
    const b = await createRecord(s, token, c2, { status: 'y' });
    await s.request('PATCH', `/api/collections/${c1}/records/${a}`, { token, body: { status: 'z' } });
    await s.request('DELETE', `/api/collections/${c1}/records/${a}`, { token });
    await s.request('DELETE', `/api/collections/${c2}/records/${b}`, { token });
    const got = await active.waitFor(2);
    const types = got.map((g) => (verify(deletes.secret, g as never) as any).type).sort();
    expect(types).toEqual([`${c1}.delete`, `${c2}.delete`].sort());
    expect(await deliveries(off.id)).toEqual([]);
    expect(inactive.received).toEqual([]);
    await s.request('DELETE', `/api/webhooks/${deletes.id}`, { token });
  });
});

describe('rolled-back writes', () => {
  it('sends nothing for a write whose hook fails after it, nor for a failed batch', async () => {
    const c = await collection();
    const r = await receiver();
    const w = await webhook({ url: r.url, events: [`${c}.create`] });
    hooks.track(s.node.onRecordCreate(async (e) => {
      await e.next();
      if (e.record.getString('status') === 'fail') throw new BadRequestError('refused after the write');
    }, c));
    expect((await s.request('POST', `/api/collections/${c}/records`, { token, body: { status: 'fail' } })).status).toBe(400);
    expect((await s.request('PATCH', '/api/settings', { token, body: { batch: { enabled: true } } })).status).toBe(200);
    const batch = await s.request('POST', '/api/batch', { token, body: { requests: [
      { method: 'POST', url: `/api/collections/${c}/records`, body: { status: 'in batch' } },
      { method: 'POST', url: `/api/collections/${c}/records`, body: { id: 'x' } },
    ] } });
    expect(batch.status).toBe(400);
    const ok = await createRecord(s, token, c, { status: 'ok' });
    const [got] = await r.waitFor(1);
    expect((verify(w.secret, got as never) as any).record.id).toBe(ok);
    const log = await deliveries(w.id);
    expect(log).toHaveLength(1);
  });
});

describe('delivery', () => {
  it('keeps the order of one record\'s events while its receiver fails the first attempts', async () => {
    const c = await collection();
    const r = await receiver();
    r.answer = (_req, n) => (n < 2 ? { status: 503, body: 'busy' } : { status: 200 });
    const w = await webhook({ url: r.url, events: [`${c}.update`] });
    const id = await createRecord(s, token, c, { status: '0' });
    for (let i = 1; i <= 5; i++) await s.request('PATCH', `/api/collections/${c}/records/${id}`, { token, body: { status: String(i) } });
    const got = await r.waitFor(7);
    const statuses = got.map((g) => (verify(w.secret, g as never) as any).record.status);
    // The first update is tried three times (two failures), then the rest follow in order.
    expect(statuses).toEqual(['1', '1', '1', '2', '3', '4', '5']);
  });

  it('retries with backoff until dead, logs each attempt, and retries by hand', async () => {
    const c = await collection();
    const r = await receiver();
    r.answer = () => ({ status: 500, body: 'nope' });
    const w = await webhook({ url: r.url, events: [`${c}.create`] });
    await createRecord(s, token, c, { status: 'x' });
    await r.waitFor(4);
    const dead = await until(async () => (await deliveries(w.id)).find((d) => d.status === 'dead'), 'a dead delivery');
    expect(dead).toMatchObject({ type: `${c}.create`, attempts: 4, statusCode: 500, bodyExcerpt: 'nope' });
    expect(dead.lastError).toContain('500');
    expect(dead.durationMs).toBeGreaterThanOrEqual(0);

    r.answer = () => ({ status: 200, body: 'ok' });
    const retried = await s.request('POST', `/api/webhooks/${w.id}/deliveries/${dead.id}/retry`, { token });
    expect(retried.status).toBe(200);
    expect(retried.body.id).toBe(dead.id);
    const done = await until(async () => (await deliveries(w.id)).find((d) => d.id === dead.id && d.status === 'done'), 'the retried delivery');
    expect(done).toMatchObject({ statusCode: 200, bodyExcerpt: 'ok' });
    // The retry carries the same webhook-id as the first attempts.
    expect(new Set(r.received.map((g) => g.headers['webhook-id'])).size).toBe(1);
    expect((await s.request('POST', `/api/webhooks/${w.id}/deliveries/nope/retry`, { token })).status).toBe(404);
  });

  it('sends a test event through the outbox and answers its delivery', async () => {
    const r = await receiver();
    const w = await webhook({ url: r.url, events: ['invoice.sent'] });
    const res = await s.request('POST', `/api/webhooks/${w.id}/test`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'webhook.test', status: 'done', statusCode: 204, attempts: 1 });
    const [got] = await r.waitFor(1);
    expect(verify(w.secret, got as never)).toMatchObject({ type: 'webhook.test', payload: { webhookId: w.id } });
    expect((await s.request('POST', '/api/webhooks/nope/test', { token })).status).toBe(404);
  });

  it('answers the write while a receiver hangs, then cuts the attempt and retries it', async () => {
    const c = await collection();
    const r = await receiver();
    r.answer = (_req, n) => (n === 0 ? 'hang' : { status: 204 });
    const w = await webhook({ url: r.url, events: [`${c}.create`] });
    const first = await createRecord(s, token, c, { status: 'a' });
    await r.waitFor(1);
    // The receiver holds the first delivery open; another write still answers at once.
    const second = await s.request('POST', `/api/collections/${c}/records`, { token, body: { status: 'b' } });
    expect(second.status).toBe(200);
    const got = await r.waitFor(3);
    expect(got.filter((g) => (g.json as any).record.id === first)).toHaveLength(2);
    const log = await until(async () => {
      const items = await deliveries(w.id);
      return items.length === 2 && items.every((d) => d.status === 'done') && items;
    }, 'both deliveries done');
    const firstDelivery = log.find((d: any) => d.attempts === 2);
    expect(firstDelivery).toBeDefined();
  });
});

describe('custom events', () => {
  it('app.events.publish delivers to subscribers, joins the transaction, and refuses record-shaped types', async () => {
    const r = await receiver();
    const type = `${uniqueName('invoice')}.sent`;
    const w = await webhook({ url: r.url, events: [type] });
    await expect(s.node.runInTransaction(async (tx) => {
      await tx.events.publish(type, { n: 1 });
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await s.node.events.publish('other.type', { n: 0 })).toBe(0);
    expect(await s.node.events.publish(type, { n: 2 })).toBe(1);
    const [got] = await r.waitFor(1);
    expect(verify(w.secret, got as never)).toMatchObject({ type, payload: { n: 2 } });
    await expect(s.node.events.publish('users.create', {})).rejects.toThrow();
    await expect(s.node.events.publish('bad type', {})).rejects.toThrow();
    expect(await deliveries(w.id)).toHaveLength(1);
  });

  it('a record hook\'s e.app.events.publish joins the write\'s transaction', async () => {
    const c = await collection();
    const r = await receiver();
    const type = `${uniqueName('order')}.placed`;
    await webhook({ url: r.url, events: [type] });
    hooks.track(s.node.onRecordCreate(async (e) => {
      await e.next();
      await e.app.events.publish(type, { id: e.record.id, status: e.record.getString('status') });
      if (e.record.getString('status') === 'fail') throw new BadRequestError('refused after publishing');
    }, c));
    expect((await s.request('POST', `/api/collections/${c}/records`, { token, body: { status: 'fail' } })).status).toBe(400);
    const ok = await createRecord(s, token, c, { status: 'ok' });
    const got = await r.waitFor(1);
    expect(got.map((g) => (g.json as any).payload)).toEqual([{ id: ok, status: 'ok' }]);
  });
});
