/**
 * Webhooks on two nodes of one PostgreSQL with Redis (docs/webhooks.md §4): a webhook saved
 * through one node takes effect on the other at once (cluster sync reloads its in-memory
 * index), and so does turning it off. Needs PLINTH_TEST_DATABASE_URL and PLINTH_TEST_REDIS_URL;
 * skipped with a printed reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import { startReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { createCollection, createRecord } from './helpers/collections.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';

const skip = postgresSkipReason() ?? redisSkipReason();

describe.skipIf(skip)('webhooks on two nodes', () => {
  let database: TestDatabase;
  let nodes: TestServer[] = [];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await startReceiver();
    const config = { databaseUrl: database.url, redisUrl: redisTestUrl(), redisPrefix: testRedisPrefix(), jobPollInterval: 0.1 };
    for (let i = 0; i < 2; i++) nodes.push(await startTestServer(config, { outbound: OutboundHttp.allowingLoopbackForTests() }));
  }, 60_000);

  afterAll(async () => {
    for (const node of nodes) await node.close();
    await receiver?.close();
    await database?.drop();
  }, 60_000);

  it('sends the writes of one node to a webhook saved through the other, until it is turned off there', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const tokenA = await a.adminToken();
    const tokenB = await b.adminToken();
    await createCollection(a, tokenA, { name: 'orders', type: 'base', fields: [{ name: 'n', type: 'number' }] });
    const w = (await a.request('POST', '/api/webhooks', { token: tokenA, body: { name: 'n', url: receiver.url, events: ['orders.create'] } })).body;
    const id = await createRecord(b, tokenB, 'orders', { n: 1 });
    const [got] = await receiver.waitFor(1);
    expect((got!.json as any).record.id).toBe(id);

    expect((await a.request('PATCH', `/api/webhooks/${w.id}`, { token: tokenA, body: { active: false } })).status).toBe(200);
    await createRecord(b, tokenB, 'orders', { n: 2 });
    const log = await b.request('GET', `/api/webhooks/${w.id}/deliveries`, { token: tokenB });
    expect(log.body.totalItems).toBe(1);
  });
});
