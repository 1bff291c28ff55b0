/**
 * The webhooks API (docs/webhooks.md §2, §3) at the HTTP boundary: superusers only, a
 * generated Standard Webhooks secret, and a 400 naming the field for every bad input,
 * with nothing saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName, userToken } from './helpers/collections.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';

let s: TestServer;
let token: string;
let orders: string;

beforeAll(async () => {
  s = await startTestServer({}, { outbound: OutboundHttp.allowingLoopbackForTests() });
  token = await s.adminToken();
  orders = uniqueName('orders');
  await createCollection(s, token, { name: orders, type: 'base', fields: [{ name: 'status', type: 'text' }, { name: 'total', type: 'number' }] });
});
afterAll(async () => {
  await s.close();
});

const valid = (over: Record<string, unknown> = {}) => ({
  name: 'fulfilment', url: 'http://127.0.0.1:9/hook', events: [`${orders}.create`], ...over,
});

async function total(): Promise<number> {
  return (await s.request('GET', '/api/webhooks?perPage=1', { token })).body.totalItems;
}

describe('webhooks API', () => {
  it('answers 401 to guests and 403 to other records', async () => {
    const user = await userToken(s);
    for (const [method, path] of [['GET', '/api/webhooks'], ['POST', '/api/webhooks'], ['GET', '/api/webhooks/x'], ['PATCH', '/api/webhooks/x'], ['DELETE', '/api/webhooks/x'], ['GET', '/api/webhooks/x/deliveries'], ['POST', '/api/webhooks/x/test']] as const) {
      expect((await s.request(method, path, { body: method === 'GET' || method === 'DELETE' ? undefined : valid() })).status).toBe(401);
      const forbidden = await s.request(method, path, { token: user, body: method === 'GET' || method === 'DELETE' ? undefined : valid() });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ status: 403, data: {} });
    }
  });

  it('creates, reads, lists, changes and deletes a webhook, with a generated secret', async () => {
    const created = await s.request('POST', '/api/webhooks', { token, body: valid({ filter: "status = 'paid'", headers: { Authorization: 'Bearer x' }, secret: 'whsec_mine' }) });
    expect(created.status).toBe(200);
    const w = created.body;
    expect(w).toMatchObject({ name: 'fulfilment', events: [`${orders}.create`], filter: "status = 'paid'", headers: { Authorization: 'Bearer x' }, active: true });
    expect(w.id).toMatch(/^[a-z0-9]{15}$/);
    // The secret is the server's: 32 random bytes in base64 behind whsec_, never the client's.
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(w.secret.slice(6), 'base64')).toHaveLength(32);

    const viewed = await s.request('GET', `/api/webhooks/${w.id}`, { token });
    expect(viewed.body).toEqual(w);
    const list = await s.request('GET', '/api/webhooks?page=1&perPage=10', { token });
    expect(list.body).toMatchObject({ page: 1, perPage: 10 });
    expect(list.body.items.map((i: { id: string }) => i.id)).toContain(w.id);

    const patched = await s.request('PATCH', `/api/webhooks/${w.id}`, { token, body: { active: false, events: [`${orders}.*`, '*.delete'] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: w.id, name: 'fulfilment', active: false, events: [`${orders}.*`, '*.delete'], secret: w.secret });

    expect((await s.request('DELETE', `/api/webhooks/${w.id}`, { token })).status).toBe(204);
    expect((await s.request('GET', `/api/webhooks/${w.id}`, { token })).status).toBe(404);
    expect((await s.request('DELETE', `/api/webhooks/${w.id}`, { token })).status).toBe(404);
    expect((await s.request('PATCH', `/api/webhooks/${w.id}`, { token, body: { name: 'x' } })).status).toBe(404);
  });

  it('accepts every kind of event pattern and custom type', async () => {
    const r = await s.request('POST', '/api/webhooks', { token, body: valid({ events: ['*', `${orders}.update`, `${orders}.*`, '*.delete', '*.*', 'invoice.sent', 'shop.order-shipped.v2'] }) });
    expect(r.status).toBe(200);
    await s.request('DELETE', `/api/webhooks/${r.body.id}`, { token });
  });

  const bad: ReadonlyArray<readonly [string, Record<string, unknown>, string, string]> = [
    ['no name', { name: '' }, 'name', 'validation_required'],
    ['a name that is not text', { name: 5 }, 'name', 'validation_required'],
    ['no url', { url: '' }, 'url', 'validation_required'],
    ['a url that is no URL', { url: 'not a url' }, 'url', 'validation_invalid_webhook_url'],
    ['an unsupported scheme', { url: 'ftp://example.com/x' }, 'url', 'validation_invalid_webhook_url'],
    ['credentials in an http url', { url: 'http://u:p@127.0.0.1/x' }, 'url', 'validation_invalid_webhook_url'],
    ['a private address', { url: 'http://10.0.0.1/x' }, 'url', 'validation_refused_webhook_address'],
    ['the metadata service', { url: 'http://169.254.169.254/latest' }, 'url', 'validation_refused_webhook_address'],
    ['an IPv4-mapped private address', { url: 'http://[::ffff:192.168.1.1]/x' }, 'url', 'validation_refused_webhook_address'],
    ['no events', { events: [] }, 'events', 'validation_required'],
    ['events that are not a list', { events: 'orders.create' }, 'events', 'validation_required'],
    ['an unknown collection', { events: ['nope_missing.create'] }, 'events', 'validation_invalid_webhook_event'],
    ['an unknown action of a collection', { events: ['*.created'] }, 'events', 'validation_invalid_webhook_event'],
    ['a wildcard inside a custom type', { events: ['invoice.*.sent'] }, 'events', 'validation_invalid_webhook_event'],
    ['an empty segment', { events: ['invoice..sent'] }, 'events', 'validation_invalid_webhook_event'],
    ['a bad character', { events: ['invoice sent'] }, 'events', 'validation_invalid_webhook_event'],
    ['a non-string event', { events: [1] }, 'events', 'validation_invalid_webhook_event'],
    ['a filter syntax error', { filter: "status = 'paid" }, 'filter', 'validation_invalid_webhook_filter'],
    ['a filter on an unknown field', { filter: "nope = 'paid'" }, 'filter', 'validation_invalid_webhook_filter'],
    ['headers that are not an object', { headers: ['a'] }, 'headers', 'validation_invalid_value'],
    ['a hop-by-hop header', { headers: { Connection: 'close' } }, 'headers', 'validation_invalid_webhook_header'],
    ['a webhook-* header', { headers: { 'Webhook-Signature': 'v1,x' } }, 'headers', 'validation_invalid_webhook_header'],
    ['a header value with a newline', { headers: { 'X-A': 'a\r\nX-B: b' } }, 'headers', 'validation_invalid_webhook_header'],
    ['a header value that is not text', { headers: { 'X-A': 1 } }, 'headers', 'validation_invalid_webhook_header'],
    ['a bad header name', { headers: { 'X A': 'a' } }, 'headers', 'validation_invalid_webhook_header'],
    ['active that is not a boolean', { active: 'yes' }, 'active', 'validation_invalid_value'],
  ];

  it.each(bad)('refuses %s with a 400 naming the field, and saves nothing', async (_what, over, field, code) => {
    const before = await total();
    const r = await s.request('POST', '/api/webhooks', { token, body: valid(over) });
    expect(r.status).toBe(400);
    expect(r.body.data[field]?.code).toBe(code);
    expect(Object.keys(r.body.data)).toEqual([field]);
    expect(await total()).toBe(before);
  });

  it('refuses a bad PATCH the same way and keeps the webhook as it was', async () => {
    const w = (await s.request('POST', '/api/webhooks', { token, body: valid() })).body;
    const r = await s.request('PATCH', `/api/webhooks/${w.id}`, { token, body: { name: 'changed', events: ['nope_missing.update'] } });
    expect(r.status).toBe(400);
    expect(r.body.data.events.code).toBe('validation_invalid_webhook_event');
    expect((await s.request('GET', `/api/webhooks/${w.id}`, { token })).body).toEqual(w);
  });

  it('refuses too many headers and a body that is not an object', async () => {
    const headers = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, 'v']));
    const r = await s.request('POST', '/api/webhooks', { token, body: valid({ headers }) });
    expect(r.status).toBe(400);
    expect(r.body.data.headers.code).toBe('validation_too_many_values');
    expect((await s.request('POST', '/api/webhooks', { token, body: '[1]' })).status).toBe(400);
  });
});
