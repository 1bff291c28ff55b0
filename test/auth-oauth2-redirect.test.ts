/**
 * The browser all-in-one OAuth2 flow (docs/api.md §5.5): the SDK's
 * `authWithOAuth2({ provider })` waits on its realtime `@oauth2` subscription
 * while the "browser" goes to the loopback provider and back through
 * `/api/oauth2-redirect`; plus the redirect's refusals and result pages.
 */
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/record-scenarios.js';
import { startOAuth2ProviderServer, type OAuth2ProviderServer } from './helpers/oauth2-provider-server.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let p: OAuth2ProviderServer;
let admin: PocketBase;
/** A collection with the loopback `oidc` provider and Apple pointed at the loopback provider. */
let people: string;
const FORWARDED_FOR = '203.0.113.9';

beforeAll(async () => {
  // 127.0.0.1 is a trusted proxy so one test can come "from" another IP through X-Forwarded-For.
  s = await startTestServer({ trustedProxies: ['127.0.0.1'] });
  p = await startOAuth2ProviderServer();
  admin = await s.admin();
  p.clients.set('oidc-client', { secret: 'oidc-secret', issuer: p.url });
  p.clients.set('apple-client', { secret: 'apple-secret', issuer: 'https://appleid.apple.com' });
  people = uniqueName('people');
  await admin.collections.create({
    name: people, type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '',
    fields: [{ name: 'name', type: 'text' }],
    oauth2: {
      enabled: true, mappedFields: { name: 'name' },
      providers: [
        { name: 'oidc', clientId: 'oidc-client', clientSecret: 'oidc-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/userinfo` },
        { name: 'apple', clientId: 'apple-client', clientSecret: 'apple-secret', authURL: `${p.url}/authorize`, tokenURL: `${p.url}/token`, userInfoURL: `${p.url}/jwks` },
      ],
    },
  });
});
afterAll(async () => {
  await s?.close();
  await p?.close();
});

let seq = 0;
/** Registers a person at the provider; Apple's ID token carries no name, the oidc user-info does. */
function person(): { login: string; email: string; name: string } {
  seq++;
  const login = `redirect${seq}_${Math.random().toString(36).slice(2, 7)}`;
  const user = { sub: String(5000 + seq), name: `Person ${seq}`, login, email: `${login}@example.com`, emailVerified: true, picture: '' };
  p.users.set(login, user);
  return user;
}

/** Polls until `check` holds (no timing assertion: it only bounds the wait). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A raw request as a browser makes it: redirects are not followed. */
async function browser(url: string, init: RequestInit = {}): Promise<{ status: number; location: string | null; text: string; headers: Headers }> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), headers: res.headers };
}

function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
}

describe('authWithOAuth2({ provider }) through /api/oauth2-redirect', () => {
  it('GET: the provider redirects the browser back, the SDK gets the code over realtime and signs in', async () => {
    const who = person();
    const pb = s.client();
    let redirectAnswer: Awaited<ReturnType<typeof browser>> | undefined;
    const auth = await pb.collection(people).authWithOAuth2({
      provider: 'oidc',
      urlCallback: async (url) => {
        expect(new URL(url).searchParams.get('redirect_uri')).toBe(`${s.url}/api/oauth2-redirect`);
        const grant = await p.authorize(url, who.login);
        expect(grant.location.pathname).toBe('/api/oauth2-redirect');
        redirectAnswer = await browser(grant.location.toString());
      },
    });
    expect(auth.token).toBeTruthy();
    expect(auth.record).toMatchObject({ email: who.email, name: who.name });
    expect(auth.meta).toMatchObject({ email: who.email, isNew: true });
    expect(pb.authStore.record?.id).toBe(auth.record.id);
    expect(redirectAnswer).toMatchObject({ status: 307, location: 'oauth2-redirect-success' });
    expect(redirectAnswer!.headers.get('cache-control')).toBe('no-store');
    await until(() => s.node.realtime.size === 0, 'the SDK to close its realtime stream');
  });

  it("POST (Apple's form_post): 303 to the success page, and the name Apple sent is used", async () => {
    const who = person();
    const auth = await s.client().collection(people).authWithOAuth2({
      provider: 'apple',
      urlCallback: async (url) => {
        expect(new URL(url).searchParams.get('response_mode')).toBe('form_post');
        const { code, state } = await p.authorize(url, who.login);
        const user = JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email: who.email });
        const answer = await browser(`${s.url}/api/oauth2-redirect`, form({ state, code, user }));
        expect(answer).toMatchObject({ status: 303, location: 'oauth2-redirect-success' });
      },
    });
    expect(auth.meta).toMatchObject({ id: expect.any(String), email: who.email, name: 'Ada Lovelace', isNew: true });
    expect(auth.record.name).toBe('Ada Lovelace');
  });
});

describe('/api/oauth2-redirect hands over only to the waiting client', () => {
  /** An SDK client subscribed to `@oauth2` (its realtime client id is the state) and what it received. */
  async function waitingClient() {
    const pb = s.client();
    const events: Record<string, unknown>[] = [];
    await pb.realtime.subscribe('@oauth2', (e) => events.push(e));
    return { pb, events, state: pb.realtime.clientId, close: () => pb.realtime.unsubscribe() };
  }

  /**
   * Sends a good redirect and waits for it: SSE keeps order, so had the request under
   * test sent anything, it would have arrived first.
   */
  async function barrier(c: Awaited<ReturnType<typeof waitingClient>>): Promise<void> {
    const before = c.events.length;
    const answer = await browser(`${s.url}/api/oauth2-redirect?state=${encodeURIComponent(c.state)}&code=barrier`);
    expect(answer.status).toBe(307);
    await until(() => c.events.length > before, 'the barrier event');
  }

  it.each([
    ['an error from the provider', (st: string) => `?state=${st}&code=&error=access_denied`, { code: '', error: 'access_denied' }],
    ['no code', (st: string) => `?state=${st}`, { code: '' }],
    ['a code', (st: string) => `?state=${st}&code=12345`, null],
  ])('GET with %s: the event goes to the client', async (_name, query, failed) => {
    const c = await waitingClient();
    try {
      const answer = await browser(`${s.url}/api/oauth2-redirect${query(encodeURIComponent(c.state))}`);
      expect(answer).toMatchObject({ status: 307, location: failed ? 'oauth2-redirect-failure' : 'oauth2-redirect-success' });
      await until(() => c.events.length > 0, 'the @oauth2 event');
      expect(c.events).toEqual([{ state: c.state, ...(failed ?? { code: '12345' }) }]);
    } finally {
      await c.close();
    }
  });

  it('POST keeps numeric and boolean-looking form values as the text sent', async () => {
    const c = await waitingClient();
    try {
      const answer = await browser(`${s.url}/api/oauth2-redirect`, form({ state: c.state, code: '12345', error: 'true' }));
      expect(answer).toMatchObject({ status: 303, location: 'oauth2-redirect-failure' });
      await until(() => c.events.length > 0, 'the @oauth2 event');
      expect(c.events).toEqual([{ state: c.state, code: '12345', error: 'true' }]);
    } finally {
      await c.close();
    }
  });

  it('delivers once: the subscription is dropped after the first redirect', async () => {
    const c = await waitingClient();
    try {
      const first = await browser(`${s.url}/api/oauth2-redirect?state=${encodeURIComponent(c.state)}&code=one`);
      expect(first).toMatchObject({ status: 307, location: 'oauth2-redirect-success' });
      const second = await browser(`${s.url}/api/oauth2-redirect?state=${encodeURIComponent(c.state)}&code=two`);
      expect(second).toMatchObject({ status: 307, location: 'oauth2-redirect-failure' });
      await until(() => c.events.length > 0, 'the @oauth2 event');
      // Resubscribing (a new SDK call) proves by a barrier that "two" never went out.
      await c.pb.realtime.unsubscribe();
      await c.pb.realtime.subscribe('@oauth2', (e) => c.events.push(e));
      c.state = c.pb.realtime.clientId;
      await barrier(c);
      expect(c.events.map((e) => e.code)).toEqual(['one', 'barrier']);
    } finally {
      await c.close();
    }
  });

  it.each([
    ['an unknown state', (st: string) => `${s.url}/api/oauth2-redirect?state=x${st}&code=c1`, {}],
    ['no state', () => `${s.url}/api/oauth2-redirect?code=c1`, {}],
    ['an overlong state', (st: string) => `${s.url}/api/oauth2-redirect?state=${st}${'a'.repeat(300)}&code=c1`, {}],
    ['another IP than the stream (X-Forwarded-For via a trusted proxy)', (st: string) => `${s.url}/api/oauth2-redirect?state=${st}&code=c1`, { headers: { 'X-Forwarded-For': FORWARDED_FOR } }],
  ])('GET with %s: failure page, nothing sent', async (_name, url, init) => {
    const c = await waitingClient();
    try {
      const answer = await browser(url(encodeURIComponent(c.state)), init);
      expect(answer).toMatchObject({ status: 307, location: 'oauth2-redirect-failure' });
      await barrier(c);
      expect(c.events).toEqual([{ state: c.state, code: 'barrier' }]);
    } finally {
      await c.close();
    }
  });

  it('a client without the @oauth2 subscription gets nothing', async () => {
    const pb = s.client();
    const events: unknown[] = [];
    await pb.realtime.subscribe('@other', (e) => events.push(e));
    try {
      const answer = await browser(`${s.url}/api/oauth2-redirect?state=${encodeURIComponent(pb.realtime.clientId)}&code=c1`);
      expect(answer).toMatchObject({ status: 307, location: 'oauth2-redirect-failure' });
      expect(events).toEqual([]);
    } finally {
      await pb.realtime.unsubscribe();
    }
  });

  it.each([
    ['an unreadable JSON body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"state":' }],
    ['a body of an unsupported type', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'state=x' }],
    ['a body over 64 KiB', form({ state: 'x', code: 'c'.repeat(70_000) })],
  ])('POST with %s: 303 to the failure page', async (_name, init) => {
    const answer = await browser(`${s.url}/api/oauth2-redirect`, init as RequestInit);
    expect(answer).toMatchObject({ status: 303, location: 'oauth2-redirect-failure' });
  });

  it('HEAD does not run the redirect', async () => {
    const c = await waitingClient();
    try {
      const answer = await browser(`${s.url}/api/oauth2-redirect?state=${encodeURIComponent(c.state)}&code=c1`, { method: 'HEAD' });
      expect(answer.status).toBe(404);
      await barrier(c);
      expect(c.events).toEqual([{ state: c.state, code: 'barrier' }]);
    } finally {
      await c.close();
    }
  });
});

describe('the result pages', () => {
  it.each([
    ['/api/oauth2-redirect-success', 'Sign-in complete'],
    ['/api/oauth2-redirect-failure', 'Sign-in failed'],
  ])('%s is a self-contained HTML page with the security headers', async (path, title) => {
    const page = await browser(`${s.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain(`<title>${title}</title>`);
    expect(page.text).toContain('close this window');
    // Nothing external, nothing scripted.
    expect(page.text).not.toMatch(/<script|<link|<img|src=|href=/i);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
