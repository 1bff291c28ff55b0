/**
 * Scaling out (issue 5): three real `plinth serve` processes on one PostgreSQL
 * database and one Redis behave as one server. Any node serves any request, a schema
 * or settings change made through one node holds on the others at once, realtime
 * events of a write on one node reach the subscribers of another (still filtered by
 * their rules), and rate-limit counters are shared. Needs PLINTH_TEST_DATABASE_URL
 * and PLINTH_TEST_REDIS_URL; skipped with a printed reason otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import PocketBase, { type RecordSubscription } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { redisSkipReason, redisTestUrl, testRedisPrefix } from './helpers/test-redis.js';
import { childEnv, requestJson, runPlinth, startPlinth, type PlinthProcess } from './helpers/plinth-process.js';
import { startTestS3 } from './helpers/test-s3.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const skip = postgresSkipReason() ?? redisSkipReason();
const EMAIL = 'nodes@example.com';
const PASSWORD = 'nodes-password-123';
const USERS_ID = '_pb_users_auth_';

describe.skipIf(skip)('three nodes on one PostgreSQL and one Redis', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'plinth-nodes-'));
  let database: TestDatabase;
  let nodes: PlinthProcess[] = [];
  let token = '';
  const url = (i: number, path: string) => nodes[i]!.url + path;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = childEnv({ DATABASE_URL: database.url, REDIS_URL: redisTestUrl()!, PLINTH_REDIS_PREFIX: testRedisPrefix() });
    // The first run installs the schema; the nodes then start together on it.
    const created = await runPlinth(['superuser', 'upsert', EMAIL, PASSWORD], env, scratch);
    expect(created.code, created.out).toBe(0);
    nodes = await Promise.all([0, 1, 2].map((i) => startPlinth([`--dir=${join(scratch, `node${i}`)}`], env, scratch)));
    const auth = await requestJson(url(0, '/api/collections/_superusers/auth-with-password'), 'POST', { identity: EMAIL, password: PASSWORD });
    expect(auth.status).toBe(200);
    token = auth.body.token;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await database?.drop();
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('serves any request on any node: a token from node 1 works on nodes 2 and 3', async () => {
    for (const i of [1, 2]) {
      const r = await requestJson(url(i, '/api/collections/_superusers/records'), 'GET', undefined, token);
      expect(r.status, `node ${i + 1}`).toBe(200);
      expect(r.body.items.map((u: { email: string }) => u.email)).toEqual([EMAIL]);
    }
    const refreshed = await requestJson(url(2, '/api/collections/_superusers/auth-refresh'), 'POST', undefined, token);
    expect(refreshed.status).toBe(200);
  });

  it('makes a collection created through node 2 usable on nodes 1 and 3 at once, and so its later changes', async () => {
    const created = await requestJson(url(1, '/api/collections'), 'POST', {
      name: 'mn_items', type: 'base', listRule: '', viewRule: '', createRule: '',
      fields: [{ name: 'title', type: 'text' }],
    }, token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const record = await requestJson(url(0, '/api/collections/mn_items/records'), 'POST', { title: 'from node 1' });
    expect(record.status, JSON.stringify(record.body)).toBe(200);
    const listed = await requestJson(url(2, '/api/collections/mn_items/records'), 'GET');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { title: string }) => r.title)).toEqual(['from node 1']);

    // A new field and a closed rule, changed through node 3, hold on node 1 immediately.
    const updated = await requestJson(url(2, '/api/collections/mn_items'), 'PATCH', {
      listRule: null, fields: [...created.body.fields, { name: 'size', type: 'number' }],
    }, token);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const withField = await requestJson(url(0, `/api/collections/mn_items/records/${record.body.id}`), 'PATCH', { size: 3 }, token);
    expect(withField.body.size, JSON.stringify(withField.body)).toBe(3);
    expect((await requestJson(url(0, '/api/collections/mn_items/records'), 'GET')).status).toBe(403);

    // Every node answers a change only once the others hold it: a rule opened and closed in
    // turn through each node holds on the other two in the next request.
    for (let round = 0; round < 12; round++) {
      const open = round % 2 === 0;
      const through = round % 3;
      const changed = await requestJson(url(through, '/api/collections/mn_items'), 'PATCH', { listRule: open ? '' : null }, token);
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      const statuses = await Promise.all([0, 1, 2].filter((i) => i !== through).map(async (i) => (await requestJson(url(i, '/api/collections/mn_items/records'), 'GET')).status));
      expect(statuses, `round ${round}, changed through node ${through + 1}`).toEqual(open ? [200, 200] : [403, 403]);
    }

    const deleted = await requestJson(url(0, '/api/collections/mn_items'), 'DELETE', undefined, token);
    expect(deleted.status).toBe(204);
    for (const i of [1, 2]) expect((await requestJson(url(i, '/api/collections/mn_items/records'), 'GET')).status).toBe(404);
  });

  it('delivers a create made on node 3 to a subscriber on node 1, filtered by its rules', async () => {
    const collection = await requestJson(url(0, '/api/collections'), 'POST', {
      name: 'mn_notes', type: 'base',
      listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id',
      fields: [{ name: 'title', type: 'text' }, { name: 'owner', type: 'relation', collectionId: USERS_ID, maxSelect: 1 }],
    }, token);
    expect(collection.status, JSON.stringify(collection.body)).toBe(200);
    const users = await Promise.all(['a', 'b'].map(async (name) => {
      const email = `mn-${name}@example.com`;
      const r = await requestJson(url(1, '/api/collections/users/records'), 'POST', { email, password: PASSWORD, passwordConfirm: PASSWORD }, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const pb = new PocketBase(nodes[0]!.url);
      pb.autoCancellation(false);
      await pb.collection('users').authWithPassword(email, PASSWORD);
      return { id: r.body.id as string, pb };
    }));
    const inbox = users.map(() => [] as RecordSubscription[]);
    await Promise.all(users.map((u, i) => u.pb.collection('mn_notes').subscribe('*', (e) => inbox[i]!.push(e))));

    const ofA = await requestJson(url(2, '/api/collections/mn_notes/records'), 'POST', { title: 'for a', owner: users[0]!.id }, token);
    const ofB = await requestJson(url(2, '/api/collections/mn_notes/records'), 'POST', { title: 'for b', owner: users[1]!.id }, token);
    expect([ofA.status, ofB.status]).toEqual([200, 200]);
    // Events of one publisher arrive in order: once B has its record, A's would have come before it.
    await until(() => inbox[0]!.length > 0 && inbox[1]!.length > 0, 'both subscribers to hear of their record');
    expect(inbox[0]!.map((e) => [e.action, e.record.id])).toEqual([['create', ofA.body.id]]);
    expect(inbox[1]!.map((e) => [e.action, e.record.id])).toEqual([['create', ofB.body.id]]);
    for (const u of users) await u.pb.realtime.unsubscribe();
  });

  it('shares rate-limit counters: a limit set through node 1 counts hits on nodes 2 and 3', async () => {
    const set = await requestJson(url(0, '/api/settings'), 'PATCH', {
      rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '/api/health', audience: '', duration: 60, maxRequests: 2 }] },
    }, token);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    try {
      const statuses = [];
      for (const i of [1, 2, 1, 2]) statuses.push((await requestJson(url(i, '/api/health'), 'GET')).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      const off = await requestJson(url(0, '/api/settings'), 'PATCH', { rateLimits: { enabled: false } }, token);
      expect(off.status).toBe(200);
    }
    expect((await requestJson(url(2, '/api/health'), 'GET')).status).toBe(200);
  });

  it('serves files uploaded through one node from the others with S3 storage, no shared folder', async () => {
    const s3 = await startTestS3(['nodes']);
    try {
      const set = await requestJson(url(0, '/api/settings'), 'PATCH', { s3: s3.settings('nodes') }, token);
      expect(set.status, JSON.stringify(set.body)).toBe(200);
      const created = await requestJson(url(0, '/api/collections'), 'POST', {
        name: 'mn_files', type: 'base', listRule: '', viewRule: '', createRule: '', deleteRule: '',
        fields: [{ name: 'doc', type: 'file', maxSelect: 1 }],
      }, token);
      expect(created.status, JSON.stringify(created.body)).toBe(200);
      const upload = new FormData();
      upload.append('doc', new Blob(['stored through node 2']), 'shared.txt');
      const res = await fetch(url(1, '/api/collections/mn_files/records'), { method: 'POST', body: upload });
      const rec = await res.json() as { id: string; doc: string };
      expect(res.status, JSON.stringify(rec)).toBe(200);
      const path = `/api/files/mn_files/${rec.id}/${rec.doc}`;
      for (const i of [0, 2]) {
        const file = await fetch(url(i, path));
        expect(file.status, `node ${i + 1}`).toBe(200);
        expect(await file.text()).toBe('stored through node 2');
      }
      expect((await requestJson(url(2, `/api/collections/mn_files/records/${rec.id}`), 'DELETE')).status).toBe(204);
      expect((await fetch(url(0, path))).status).toBe(404);
    } finally {
      const off = await requestJson(url(0, '/api/settings'), 'PATCH', { s3: { enabled: false } }, token);
      expect(off.status).toBe(200);
      await s3.close();
    }
  });

  // Last, because it kills node 2.
  it('loses nothing acknowledged when a node is killed with SIGKILL mid-burst, and the others carry on', async () => {
    const created = await requestJson(url(0, '/api/collections'), 'POST', {
      name: 'mn_burst', type: 'base', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'n', type: 'number' }],
    }, token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const victim = nodes[1]!;
    const acknowledged: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 400 && victim.child.signalCode === null) {
        const n = next++;
        try {
          const r = await requestJson(url(1, '/api/collections/mn_burst/records'), 'POST', { n });
          if (r.status !== 200) continue;
          acknowledged.push(r.body.id);
          // Killed once 80 creates are acknowledged, while about 10 more are in flight.
          if (acknowledged.length === 80) victim.child.kill('SIGKILL');
        } catch {
          // The connection died with the node: that create was never acknowledged.
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(80);
    for (const i of [0, 2]) {
      const listed = await requestJson(url(i, '/api/collections/mn_burst/records?perPage=1000&fields=id'), 'GET');
      expect(listed.status).toBe(200);
      const stored = new Set(listed.body.items.map((r: { id: string }) => r.id));
      expect(acknowledged.filter((id) => !stored.has(id)), `node ${i + 1}`).toEqual([]);
    }
    const after = await requestJson(url(2, '/api/collections/mn_burst/records'), 'POST', { n: -1 });
    expect(after.status).toBe(200);
    expect((await requestJson(url(0, `/api/collections/mn_burst/records/${after.body.id}`), 'GET')).status).toBe(200);
  }, 60_000);
});

/** Waits until `check` holds (the events travel through Redis), failing after 10 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
