/**
 * Realtime behind any load balancer (docs/api.md §6.5): two nodes on one PostgreSQL
 * and one Redis; a client's stream is open on node A while its subscribe calls reach
 * node B, which forwards them to A. Record writes on either node then reach the client,
 * filtered by the auth bound through B; a call for a client no node holds is a 404.
 * Needs PLINTH_TEST_DATABASE_URL and PLINTH_TEST_REDIS_URL; skipped with a printed reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import { createCollection, createRecord, uniqueName, userToken } from './helpers/collections.js';

const skip = postgresSkipReason() ?? redisSkipReason();

describe.skipIf(skip)('subscribing through another node than the stream\'s', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = { databaseUrl: database.url, redisUrl: redisTestUrl()!, redisPrefix: testRedisPrefix() };
    a = await startTestServer(config);
    b = await startTestServer(config);
    admin = await a.adminToken();
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  }, 60_000);

  it('delivers writes made on either node to a client subscribed through the other', async () => {
    const name = uniqueName('anynode');
    await createCollection(a, admin, { name, type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
    const stream = await openStream(a);
    try {
      const set = await b.request('POST', '/api/realtime', { body: { clientId: stream.clientId, subscriptions: [name] } });
      expect(set.status).toBe(204);
      await createRecord(b, admin, name, { title: 'written on b' });
      expect(await stream.next(name)).toMatchObject({ action: 'create', record: { title: 'written on b' } });
      await createRecord(a, admin, name, { title: 'written on a' });
      expect(await stream.next(name)).toMatchObject({ action: 'create', record: { title: 'written on a' } });
    } finally {
      stream.close();
    }
  });

  it('binds the auth verified by the forwarding node, and the holding node refuses an auth change', async () => {
    const name = uniqueName('signedin');
    await createCollection(a, admin, {
      name, type: 'base', listRule: "@request.auth.id != ''", viewRule: "@request.auth.id != ''", fields: [{ name: 'title', type: 'text' }],
    });
    const user = await userToken(a);
    const other = await userToken(a);
    const stream = await openStream(a);
    try {
      expect((await b.request('POST', '/api/realtime', { token: user, body: { clientId: stream.clientId, subscriptions: [name] } })).status).toBe(204);
      await createRecord(b, admin, name, { title: 'for users' });
      expect(await stream.next(name)).toMatchObject({ action: 'create', record: { title: 'for users' } });
      const changed = await b.request('POST', '/api/realtime', { token: other, body: { clientId: stream.clientId, subscriptions: [name] } });
      expect(changed.status).toBe(403);
      expect(changed.body.message).toBe("The current and the previous request authorization don't match.");
    } finally {
      stream.close();
    }
  });

  it('runs onRealtimeSubscribeRequest on the receiving node, with the client known by its id', async () => {
    const name = uniqueName('hooked');
    await createCollection(a, admin, { name, type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] });
    const seen: string[] = [];
    const handle = b.node.onRealtimeSubscribeRequest(async (e) => {
      seen.push(e.client.id);
      // Whatever the client asks for, it follows `name`.
      e.subscriptions = [name];
      await e.next();
    });
    const stream = await openStream(a);
    try {
      expect((await b.request('POST', '/api/realtime', { body: { clientId: stream.clientId, subscriptions: ['other'] } })).status).toBe(204);
      expect(seen).toEqual([stream.clientId]);
      await createRecord(b, admin, name, { title: 'hooked' });
      expect(await stream.next(name)).toMatchObject({ action: 'create', record: { title: 'hooked' } });
    } finally {
      handle.unbind();
      stream.close();
    }
  });

  it('answers 404 when no node holds the client id', async () => {
    const res = await b.request('POST', '/api/realtime', { body: { clientId: 'x'.repeat(40), subscriptions: ['a'] } });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Missing or invalid client id.');
  });
});

/** Opens a raw SSE stream on a node; `next(event)` resolves to the data of the next frame of that event. */
async function openStream(node: TestServer) {
  const controller = new AbortController();
  const res = await fetch(`${node.url}/api/realtime`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const frame = async (): Promise<{ event: string; data: string }> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const text = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const field = (key: string) => text.split('\n').find((l) => l.startsWith(`${key}:`))?.slice(key.length + 1) ?? '';
        return { event: field('event'), data: field('data') };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  const connect = await frame();
  const clientId = JSON.parse(connect.data).clientId as string;
  return {
    clientId,
    async next(event: string): Promise<any> {
      for (;;) {
        const f = await frame();
        if (f.event === event) return JSON.parse(f.data);
      }
    },
    close: () => controller.abort(),
  };
}
