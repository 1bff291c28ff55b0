import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s?.close(); });

describe('smoke', () => {
  it('serves health and the core flow', async () => {
    const h = await s.request('GET', '/api/health');
    expect(h.status).toBe(200);
    const token = await s.adminToken();
    const c = await s.request('POST', '/api/collections', { token, body: { name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'title', type: 'text', required: true }, { name: 'views', type: 'number' }, { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 }] } });
    console.log(c.status, JSON.stringify(c.body).slice(0, 400));
    expect(c.status).toBe(200);
    const r = await s.request('POST', '/api/collections/posts/records', { body: { title: 'Hello', views: 3, tags: ['a', 'b'] } });
    console.log(r.status, r.text);
    expect(r.status).toBe(200);
    const l = await s.request('GET', "/api/collections/posts/records?filter=" + encodeURIComponent("title ~ 'ell' && tags:each ?= 'a'") + '&sort=-views');
    console.log(l.status, l.text);
    expect(l.body.items.length).toBe(1);
  });
});
