/**
 * A rule that calls search() where it is judged over a record's values (a createRule, a
 * manageRule on a create, a field's writeRule or readRule) is refused when a collection is
 * saved, but a collection saved by an older Plinth, restored from a backup or written through
 * the SQL console may still hold one (docs/search.md §2). Such a collection is made here the
 * way those paths make it, by writing its `_collections` row with `POST /api/sql` (which
 * reloads the schema), and every request that judges the rule must answer a 400 that names
 * it, change nothing, and let a superuser through; never a 500. The saves that do check (an
 * import, a migration) refuse such a rule as a create request does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlinth } from '../src/app/create-plinth.js';
import type { PlinthConfig } from '../src/config/config.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';
import { startOAuth2ProviderServer, type OAuth2ProviderServer } from './helpers/oauth2-provider-server.js';
import { allRecords, createCollection, makeUser, runScenarios, uniqueName } from './helpers/record-scenarios.js';
import { createTestDatabase, testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

// Node 20 has no EventSource; the SDK's realtime client uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let admin: string;
let provider: OAuth2ProviderServer;

const CANNOT = /calls search\(\), which cannot judge a record that is not stored and indexed yet: a superuser must change the rule\.$/;
const SEARCHABLE = { name: 'title', type: 'text', searchable: true };

/** Writes one rule of the collection's stored JSON straight into its `_collections` row, as older versions saved it. */
async function storeLegacyRule(name: string, from: string, to: string): Promise<void> {
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const query = `UPDATE _collections SET data = replace(data, ${quote(from)}, ${quote(to)}) WHERE name = ${quote(name)}`;
  const r = await s.request('POST', '/api/sql', { token: admin, body: { query } });
  expect(r.status, r.text).toBe(200);
  expect(r.body.affectedRows).toBe(1);
  const stored = await s.request('GET', `/api/collections/${name}`, { token: admin });
  expect(stored.text).toContain(to.replace(/^"\w+":/, ''));
}

/** A base collection whose stored createRule is `search('spam') = false`. */
async function legacyCreateRule(type: 'base' | 'auth' = 'base'): Promise<string> {
  const name = uniqueName(type === 'auth' ? 'legacyauth' : 'legacy');
  await createCollection(s, { name, type, listRule: '', viewRule: '', createRule: '', fields: [SEARCHABLE] });
  await storeLegacyRule(name, '"createRule":""', `"createRule":"search('spam') = false"`);
  return name;
}

beforeAll(async () => {
  // The OAuth2 provider is a fake on loopback over http, which only this test-only guard reaches.
  s = await startTestServer({}, { outbound: OutboundHttp.allowingLoopbackForTests() });
  provider = await startOAuth2ProviderServer();
  provider.clients.set('oidc-client', { secret: 'oidc-secret', issuer: provider.url });
  admin = await s.adminToken();
  const r = await s.request('PATCH', '/api/settings', { token: admin, body: { batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } } });
  expect(r.status, r.text).toBe(200);
});
afterAll(async () => {
  await s?.close();
  await provider?.close();
});

describe('a stored createRule that calls search()', () => {
  it('refuses a create, alone or in a batch, with a 400 naming the rule, and writes nothing', async () => {
    const name = await legacyCreateRule();
    const message = expect.stringMatching(new RegExp(`^The createRule of collection "${name}" ${CANNOT.source}`));
    await runScenarios(s, [
      { name: 'create', method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'ham' }, status: 400, expect: { message, data: {} } },
      {
        name: 'batch create', method: 'POST', url: '/api/batch', status: 400,
        body: { requests: [{ method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'ham' } }] },
        expect: { message: 'Batch transaction failed.', data: { requests: { 0: { response: { status: 400, message } } } } },
      },
    ]);
    expect(await allRecords(s, name)).toEqual([]);
    // The rule explainer judges a create as the API does (docs/rules-explain.md).
    const explained = await s.request('POST', `/api/collections/${name}/rules/explain`, { token: admin, body: { action: 'create', body: { title: 'ham' } } });
    expect(explained.status, explained.text).toBe(400);
    expect(explained.body.message).toMatch(CANNOT);
  });

  it('refuses a sign-up to an auth collection the same way', async () => {
    const name = await legacyCreateRule('auth');
    const r = await s.request('POST', `/api/collections/${name}/records`, { body: { email: 'new@example.com', password: 'password-123', passwordConfirm: 'password-123', title: 'ham' } });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toMatch(CANNOT);
    expect(await allRecords(s, name)).toEqual([]);
  });

  it('refuses an OAuth2 sign-up the same way', async () => {
    const name = await legacyCreateRule('auth');
    const oidc = { name: 'oidc', clientId: 'oidc-client', clientSecret: 'oidc-secret', authURL: `${provider.url}/authorize`, tokenURL: `${provider.url}/token`, userInfoURL: `${provider.url}/userinfo` };
    const on = await s.request('PATCH', `/api/collections/${name}`, { token: admin, body: { createRule: "title != 'spam'", oauth2: { enabled: true, providers: [oidc] } } });
    expect(on.status, on.text).toBe(200);
    await storeLegacyRule(name, `"createRule":"title != 'spam'"`, `"createRule":"search('spam') = false"`);
    const login = uniqueName('person');
    provider.users.set(login, { sub: login, name: 'Person', login, email: `${login}@example.com`, emailVerified: true, picture: '' });
    const pb = s.client().autoCancellation(false);
    const info = (await pb.collection(name).listAuthMethods()).oauth2.providers[0]!;
    const redirect = 'http://127.0.0.1:9/oauth2-callback';
    const { code } = await provider.authorize(info.authURL + encodeURIComponent(redirect), login);
    const r = await s.request('POST', `/api/collections/${name}/auth-with-oauth2`, { body: { provider: 'oidc', code, codeVerifier: info.codeVerifier, redirectURL: redirect } });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toMatch(CANNOT);
    expect(await allRecords(s, name)).toEqual([]);
  });

  it('lets a superuser create (rules do not hold superusers); a save that keeps the rule is refused until the rule changes', async () => {
    const name = await legacyCreateRule();
    const created = await s.request('POST', `/api/collections/${name}/records`, { token: admin, body: { title: 'by admin' } });
    expect(created.status, created.text).toBe(200);
    const kept = await s.request('PATCH', `/api/collections/${name}`, { token: admin, body: { listRule: null } });
    expect(kept.status, kept.text).toBe(400);
    expect(kept.body.data.createRule.code).toBe('validation_invalid_rule');
    const fixed = await s.request('PATCH', `/api/collections/${name}`, { token: admin, body: { createRule: "title != 'spam'" } });
    expect(fixed.status, fixed.text).toBe(200);
    const now = await s.request('POST', `/api/collections/${name}/records`, { body: { title: 'ham' } });
    expect(now.status, now.text).toBe(200);
  });
});

describe('a stored manageRule that calls search()', () => {
  it('is refused when saved, and refuses a signed-in create it judges with a 400 naming it', async () => {
    const name = uniqueName('legacymanage');
    const refused = await s.request('POST', '/api/collections', {
      token: admin, body: { name, type: 'auth', createRule: '', manageRule: "search('staff')", fields: [SEARCHABLE] },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.data.manageRule.message).toMatch(/search\(\) reads the full-text index/);
    await createCollection(s, { name, type: 'auth', createRule: '', manageRule: "title = 'staff'", fields: [SEARCHABLE] });
    await storeLegacyRule(name, `"manageRule":"title = 'staff'"`, `"manageRule":"search('staff')"`);
    const user = await makeUser(s, `${uniqueName('m')}@example.com`);
    const body = { email: 'member@example.com', password: 'password-123', passwordConfirm: 'password-123', title: 'staff' };
    const r = await s.request('POST', `/api/collections/${name}/records`, { token: user.token, body });
    expect(r.status, r.text).toBe(400);
    expect(r.body.message).toBe(`The manageRule of collection "${name}" calls search(), which cannot judge a record that is not stored and indexed yet: a superuser must change the rule.`);
    expect(await allRecords(s, name)).toEqual([]);
    // A guest is never a manager: the rule is not judged, and the sign-up goes through.
    const guest = await s.request('POST', `/api/collections/${name}/records`, { body });
    expect(guest.status, guest.text).toBe(200);
  });
});

describe('stored field rules that call search()', () => {
  let name: string;
  let stored: string;

  beforeAll(async () => {
    name = uniqueName('legacyfield');
    await createCollection(s, {
      name, listRule: '', viewRule: '', createRule: '', updateRule: '',
      fields: [SEARCHABLE, { name: 'note', type: 'text', readRule: "title != 'r'", writeRule: "title != 'w'" }],
    });
    await storeLegacyRule(name, `"readRule":"title != 'r'"`, `"readRule":"search('public')"`);
    await storeLegacyRule(name, `"writeRule":"title != 'w'"`, `"writeRule":"search('open')"`);
    stored = (await s.request('POST', `/api/collections/${name}/records`, { token: admin, body: { title: 'open public', note: 'kept' } })).body.id;
  });

  it('a writeRule refuses a create that sets its field with a 400 naming it; a create without the field goes through', async () => {
    const message = `The writeRule of field "note" of collection "${name}" calls search(), which cannot judge a record that is not stored and indexed yet: a superuser must change the rule.`;
    const before = (await allRecords(s, name)).length;
    await runScenarios(s, [
      { name: 'create setting note', method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'open public', note: 'x' }, status: 400, expect: { message } },
      {
        name: 'batch create setting note', method: 'POST', url: '/api/batch', status: 400,
        body: { requests: [{ method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'open', note: 'x' } }] },
        expect: { data: { requests: { 0: { response: { status: 400, message } } } } },
      },
      { name: 'superuser create setting note', method: 'POST', url: `/api/collections/${name}/records`, token: admin, body: { title: 'by admin', note: 'x' }, status: 200 },
    ]);
    expect((await allRecords(s, name)).length).toBe(before + 1);
    // An update judges the rule on the stored row, which the index holds.
    const updated = await s.request('PATCH', `/api/collections/${name}/records/${stored}`, { body: { note: 'changed' } });
    expect(updated.status, updated.text).toBe(200);
  });

  it('a readRule leaves its field out wherever it is judged over values (view, create response), and answers for stored rows in a list', async () => {
    await runScenarios(s, [
      { name: 'create without note', method: 'POST', url: `/api/collections/${name}/records`, body: { title: 'open public' }, status: 200, absent: ['note'] },
      { name: 'view', method: 'GET', url: `/api/collections/${name}/records/${stored}`, status: 200, expect: { id: stored }, absent: ['note'] },
      { name: 'superuser view', method: 'GET', url: `/api/collections/${name}/records/${stored}`, token: admin, status: 200, expect: { note: expect.any(String) } },
    ]);
    const listed = await s.request('GET', `/api/collections/${name}/records?filter=${encodeURIComponent(`id = '${stored}'`)}`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items[0].note).toEqual(expect.any(String));
  });

  it('a readRule leaves its field out of a realtime event, which is still sent', async () => {
    const events: any[] = [];
    const pb = s.client().autoCancellation(false);
    const unsubscribe = await pb.collection(name).subscribe('*', (e) => events.push(e));
    try {
      const made = await s.request('POST', `/api/collections/${name}/records`, { token: admin, body: { title: 'open public', note: 'secret' } });
      expect(made.status, made.text).toBe(200);
      // Polls (bounded, no timing assertion) until the event arrives.
      for (const deadline = Date.now() + 10_000; !events.some((e) => e.record.id === made.body.id);) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the create event');
        await new Promise((r) => setTimeout(r, 10));
      }
      const event = events.find((e) => e.record.id === made.body.id);
      expect(event.record.title).toBe('open public');
      expect(event.record).not.toHaveProperty('note');
    } finally {
      await unsubscribe();
    }
  });
});

describe('every save checks the rules it stores', () => {
  it('an import holding a searching createRule or field writeRule is a 400 naming the rule, and saves nothing', async () => {
    const name = uniqueName('legacyimport');
    const r = await s.request('PUT', '/api/collections/import', {
      token: admin,
      body: { collections: [{ name, createRule: "search('spam') = false", fields: [SEARCHABLE, { name: 'note', type: 'text', writeRule: "search('x')" }] }] },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.body.data.collections.code).toBe('validation_collections_import_failure');
    const item = r.body.data.collections.params.errors[0];
    expect(item.createRule.message).toMatch(/search\(\) reads the full-text index/);
    expect(item.fields[2].writeRule.code).toBe('validation_invalid_rule');
    expect((await s.request('GET', `/api/collections/${name}`, { token: admin })).status).toBe(404);
  });

  it('a migration saving one stops the start, naming its file and the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-legacy-'));
    const migrations = mkdtempSync(join(tmpdir(), 'plinth-legacy-m-'));
    const database = testDialect() === 'postgres' ? await createTestDatabase() : undefined;
    const name = uniqueName('legacymig');
    writeFileSync(join(migrations, '1700000001_create.js'), `export default {
  async up(app) {
    await app.save({ name: '${name}', createRule: "search('spam') = false", fields: [{ name: 'title', type: 'text', searchable: true }] });
  },
};
`);
    const config = { http: { host: '127.0.0.1', port: 0 }, origins: ['*'], dev: false, logLevel: 'silent', bodyLimit: 1 << 20, queryTimeout: 30, dir, migrationsDir: migrations, databaseUrl: database?.url } as PlinthConfig;
    const node = await createPlinth(config, { logger: false });
    try {
      await expect(node.start()).rejects.toThrow('failed to apply migration 1700000001_create.js: Failed to create collection. (createRule: Invalid rule. Raw error: search() reads the full-text index,');
    } finally {
      await node.stop();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(migrations, { recursive: true, force: true });
    }
  });
});
