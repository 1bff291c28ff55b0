/**
 * Hooks on the paths that used to skip them (docs/hooks.md §2, §3), from a hooks folder
 * written here and loaded by a real node: `onRecordAuthRequest` around a custom sign-in
 * (`app.apis.recordAuthResponse`), `onSettingsReload` for the settings a node starts
 * with, and `onRealtimeMessageSend` for the `@oauth2` direct message and the
 * `PB_DISCONNECT` frame of an overloaded fan-out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHooks } from '../src/app/hooks-loader.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection } from './helpers/collections.js';
import { PW } from './helpers/hook-test-server.js';

const HOOKS = `
import { definePlugin, ForbiddenError, Record } from 'plinth';

/** The appName of each onSettingsReload, in order. */
const reloads = [];

export default definePlugin((app) => {
  app.onSettingsReload(async (e) => {
    reloads.push(e.settings.meta.appName);
    await e.next();
  });
  app.routerAdd('GET', '/api/gaps/reloads', (e) => e.json(200, reloads));

  app.routerAdd('POST', '/api/gaps/signin', async (e) => {
    const { email } = await e.bindBody();
    const user = await app.findAuthRecordByEmail('users', email);
    await app.apis.recordAuthResponse(e, user, 'custom', { via: 'custom' });
  });
  app.onRecordAuthRequest(async (e) => {
    if (e.authMethod !== 'custom') return e.next();
    const email = e.record.getString('email');
    if (email.startsWith('refused')) throw new ForbiddenError('No custom sign-in for you.');
    if (email.startsWith('answered')) return e.json(200, { answered: e.record.id });
    e.meta = { ...e.meta, hooked: true };
    await e.next();
  }, 'users');

  app.onRealtimeMessageSend(async (e) => {
    if (e.message.name === '@oauth2' || e.message.name === 'PB_DISCONNECT') {
      e.message.data = JSON.stringify({ ...JSON.parse(e.message.data), hooked: true });
    }
    await e.next();
  });

  // One commit with more record events than the realtime fan-out queue holds (10,000).
  app.routerAdd('POST', '/api/gaps/flood', async (e) => {
    await app.runInTransaction(async (tx) => {
      const c = tx.findCollectionByNameOrId('flood');
      for (let i = 0; i < 10_001; i++) await tx.saveNoValidate(new Record(c, { n: i }));
    });
    e.noContent();
  });
});
`;

// Node 20 has no EventSource.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let token: string;
let reloadsAtStart: unknown;
const hooksDir = mkdtempSync(join(tmpdir(), 'plinth-remaining-'));

beforeAll(async () => {
  writeFileSync(join(hooksDir, 'paths.ts'), HOOKS);
  s = await startTestServer({}, { plugins: await loadHooks(hooksDir, hooksDir) });
  reloadsAtStart = (await s.request('GET', '/api/gaps/reloads')).body;
  token = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
  rmSync(hooksDir, { recursive: true, force: true });
});

/** Polls until `check` holds (no timing assertion: it only bounds the wait). */
async function until(check: () => boolean, what: string, ms = 20_000, poll?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + ms;
  for (await poll?.(); !check(); await poll?.()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A realtime stream and its client id, with every event of the names asked for kept. */
async function stream(names: string[]): Promise<{ clientId: string; seen: { name: string; data: any }[]; close(): void }> {
  const es = new EventSource(`${s.url}/api/realtime`);
  const seen: { name: string; data: any }[] = [];
  for (const name of names) es.addEventListener(name, (e) => seen.push({ name, data: JSON.parse((e as MessageEvent).data) }));
  const clientId = await new Promise<string>((resolve) => {
    es.addEventListener('PB_CONNECT', (e) => resolve(JSON.parse((e as MessageEvent).data).clientId));
  });
  return { clientId, seen, close: () => es.close() };
}

async function user(prefix: string): Promise<string> {
  const email = `${prefix}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const res = await s.request('POST', '/api/collections/users/records', { token, body: { email, password: PW, passwordConfirm: PW } });
  if (res.status !== 200) throw new Error(`user: ${res.status} ${res.text}`);
  return email;
}

describe('onSettingsReload', () => {
  it('fires once for the settings the node started with, and again on a change', async () => {
    expect(reloadsAtStart).toEqual([expect.any(String)]);
    const res = await s.request('PATCH', '/api/settings', { token, body: { meta: { appName: 'Reloaded' } } });
    expect(res.status).toBe(200);
    let after: string[] = [];
    await until(() => after.length > 1, 'the reload', 20_000, async () => {
      after = (await s.request('GET', '/api/gaps/reloads')).body as string[];
    });
    expect(after.slice(1)).toEqual(['Reloaded']);
  });
});

describe('onRecordAuthRequest around app.apis.recordAuthResponse', () => {
  it('sees a custom sign-in and changes its answer', async () => {
    const email = await user('custom');
    const res = await s.request('POST', '/api/gaps/signin', { body: { email } });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect(res.body.record.email).toBe(email);
    expect(res.body.meta).toEqual({ via: 'custom', hooked: true });
  });

  it('can answer in place of the sign-in, or refuse it', async () => {
    const answered = await user('answered');
    const a = await s.request('POST', '/api/gaps/signin', { body: { email: answered } });
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ answered: expect.any(String) });
    expect(a.body.token).toBeUndefined();

    const refused = await user('refused');
    const r = await s.request('POST', '/api/gaps/signin', { body: { email: refused } });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe('No custom sign-in for you.');
  });
});

describe('onRealtimeMessageSend on every message a client gets', () => {
  it('runs for the @oauth2 message of the OAuth2 redirect', async () => {
    const client = await stream(['@oauth2']);
    try {
      const sub = await s.request('POST', '/api/realtime', { body: { clientId: client.clientId, subscriptions: ['@oauth2'] } });
      expect(sub.status).toBe(204);
      const res = await fetch(`${s.url}/api/oauth2-redirect?state=${client.clientId}&code=abc`, { redirect: 'manual' });
      expect(res.status).toBe(307);
      await until(() => client.seen.length > 0, 'the @oauth2 message');
      expect(client.seen[0]!.data).toEqual({ state: client.clientId, code: 'abc', hooked: true });
    } finally {
      client.close();
    }
  });

  it('runs for the PB_DISCONNECT frame of a fan-out that fell behind', async () => {
    await createCollection(s, token, { name: 'flood', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'n', type: 'number' }] });
    const client = await stream(['PB_DISCONNECT']);
    try {
      const sub = await s.request('POST', '/api/realtime', { body: { clientId: client.clientId, subscriptions: ['flood'] } });
      expect(sub.status).toBe(204);
      const res = await s.request('POST', '/api/gaps/flood');
      expect(res.status).toBe(204);
      await until(() => client.seen.length > 0, 'the PB_DISCONNECT frame');
      expect(client.seen[0]!.data).toEqual({ reason: expect.any(String), hooked: true });
    } finally {
      client.close();
    }
  }, 120_000);
});
