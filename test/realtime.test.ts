/**
 * Realtime (docs/api.md §6, §3.6, §3.9) through the official `pocketbase` SDK and raw
 * HTTP: subscribe/unsubscribe, per-subscriber rule checks, options, delete
 * events, rolled-back writes, auth binding, reconnects, frames and errors.
 */
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let admin: PocketBase;
/** A collection every client subscribes to as a barrier: its listRule is "". */
let pings: string;
/** Owner-only notes: list/view rule `owner = @request.auth.id`. */
let notes: string;
const users: Record<'a' | 'b', { id: string; email: string; pb: () => Promise<PocketBase> }> = {} as never;
const PASSWORD = 'user-password-123';

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
  pings = uniqueName('pings');
  await admin.collections.create({
    name: pings, type: 'base', fields: [{ name: 'n', type: 'text' }],
    listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
  });
  const usersCollection = await admin.collections.getOne('users');
  notes = uniqueName('notes');
  await admin.collections.create({
    name: notes, type: 'base',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'owner', type: 'relation', collectionId: usersCollection.id, maxSelect: 1 },
    ],
    listRule: 'owner = @request.auth.id', viewRule: 'owner = @request.auth.id',
    createRule: '', updateRule: '', deleteRule: '',
  });
  for (const key of ['a', 'b'] as const) {
    const email = `${uniqueName('rt')}@example.com`;
    const record = await admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD, name: key });
    users[key] = {
      id: record.id, email,
      pb: async () => {
        const pb = client();
        await pb.collection('users').authWithPassword(email, PASSWORD);
        return pb;
      },
    };
  }
});
afterAll(async () => { await s?.close(); });

function client(): PocketBase {
  return s.client().autoCancellation(false);
}

/** Polls until `check` holds (no timing assertion: it only bounds the wait). */
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Events one SDK client received on one topic. */
interface Inbox {
  events: any[];
  unsubscribe: () => Promise<void>;
}

async function listen(pb: PocketBase, collection: string, topic: string, options?: Record<string, unknown>): Promise<Inbox> {
  const events: any[] = [];
  const unsubscribe = await pb.collection(collection).subscribe(topic, (e) => events.push(e), options);
  return { events, unsubscribe };
}

/**
 * Makes sure every event committed so far reached the given clients: each listens to
 * `pings`, a ping is created, and its arrival proves earlier events were sent
 * (one node delivers in commit order).
 */
async function barrier(inboxes: Inbox[]): Promise<void> {
  const marker = uniqueName('ping');
  await admin.collection(pings).create({ n: marker });
  await until(() => inboxes.every((i) => i.events.some((e) => e.record?.n === marker)), 'the barrier ping');
}

describe('per-subscriber rules on a collection topic (listRule)', () => {
  it('a user receives only the records the listRule lets it read; guests none; superusers all', async () => {
    const pbA = await users.a.pb();
    const pbB = await users.b.pb();
    const guest = client();
    const su = await s.admin();
    const seen = {
      a: await listen(pbA, notes, '*'), b: await listen(pbB, notes, '*'), guest: await listen(guest, notes, '*'), su: await listen(su, notes, '*'),
    };
    const pingsOf = await Promise.all([pbA, pbB, guest, su].map((pb) => listen(pb, pings, '*')));

    const ofA = await admin.collection(notes).create({ title: 'for a', secret: 's1', owner: users.a.id });
    const ofB = await admin.collection(notes).create({ title: 'for b', owner: users.b.id });
    await barrier(pingsOf);

    expect(seen.a.events.map((e) => e.record.id)).toEqual([ofA.id]);
    expect(seen.b.events.map((e) => e.record.id)).toEqual([ofB.id]);
    expect(seen.guest.events).toEqual([]);
    expect(seen.su.events.map((e) => e.record.id)).toEqual([ofA.id, ofB.id]);
    // docs/api.md §3.6: hidden fields only for superusers.
    expect(seen.a.events[0]).toMatchObject({ action: 'create', record: { title: 'for a', collectionName: notes } });
    expect(seen.a.events[0].record).not.toHaveProperty('secret');
    expect(seen.su.events[0].record.secret).toBe('s1');

    for (const pb of [pbA, pbB, guest, su]) await pb.realtime.unsubscribe();
  });

  it('a null listRule delivers to superusers only; "" delivers to guests', async () => {
    const locked = uniqueName('locked');
    await admin.collections.create({ name: locked, type: 'base', fields: [{ name: 't', type: 'text' }], listRule: null, viewRule: null });
    const guest = client();
    const pbA = await users.a.pb();
    const su = await s.admin();
    const inbox = { guest: await listen(guest, locked, '*'), a: await listen(pbA, locked, '*'), su: await listen(su, locked, '*') };
    const guestPings = await listen(guest, pings, '*');
    const aPings = await listen(pbA, pings, '*');
    const suPings = await listen(su, pings, '*');
    await admin.collection(locked).create({ t: 'x' });
    await barrier([guestPings, aPings, suPings]);
    expect(inbox.guest.events).toEqual([]);
    expect(inbox.a.events).toEqual([]);
    expect(inbox.su.events).toHaveLength(1);
    // The barrier itself shows "" delivering to a guest.
    expect(guestPings.events.length).toBeGreaterThan(0);
    for (const pb of [guest, pbA, su]) await pb.realtime.unsubscribe();
  });
});

describe('record topics (viewRule)', () => {
  it('delivers updates of one record to subscribers its viewRule admits, and nothing of other records', async () => {
    const pbA = await users.a.pb();
    const pbB = await users.b.pb();
    const mine = await admin.collection(notes).create({ title: 'a1', owner: users.a.id });
    const other = await admin.collection(notes).create({ title: 'a2', owner: users.a.id });
    const aInbox = await listen(pbA, notes, mine.id);
    const bInbox = await listen(pbB, notes, mine.id);
    const barriers = [await listen(pbA, pings, '*'), await listen(pbB, pings, '*')];

    await admin.collection(notes).update(other.id, { title: 'a2 changed' });
    await admin.collection(notes).update(mine.id, { title: 'a1 changed' });
    await barrier(barriers);
    expect(aInbox.events).toHaveLength(1);
    expect(aInbox.events[0]).toMatchObject({ action: 'update', record: { id: mine.id, title: 'a1 changed' } });
    expect(bInbox.events).toEqual([]);
    await pbA.realtime.unsubscribe();
    await pbB.realtime.unsubscribe();
  });

  it('sends a delete event with the record as it was, only to those who could read it', async () => {
    const pbA = await users.a.pb();
    const pbB = await users.b.pb();
    const doomed = await admin.collection(notes).create({ title: 'doomed', owner: users.a.id });
    const aInbox = await listen(pbA, notes, '*');
    const bInbox = await listen(pbB, notes, '*');
    const barriers = [await listen(pbA, pings, '*'), await listen(pbB, pings, '*')];
    await admin.collection(notes).delete(doomed.id);
    await barrier(barriers);
    expect(aInbox.events).toEqual([expect.objectContaining({ action: 'delete', record: expect.objectContaining({ id: doomed.id, title: 'doomed', owner: users.a.id }) })]);
    expect(bInbox.events).toEqual([]);
    await pbA.realtime.unsubscribe();
    await pbB.realtime.unsubscribe();
  });
});

describe('subscription options', () => {
  it('applies filter, expand and fields from the subscribe options for each subscriber', async () => {
    const pbA = await users.a.pb();
    const inbox = await listen(pbA, notes, '*', { filter: 'title ~ "keep"', expand: 'owner', fields: 'id,title,expand.owner.name' });
    const plain = await listen(pbA, notes, '*');
    const barriers = [await listen(pbA, pings, '*')];
    const dropped = await admin.collection(notes).create({ title: 'drop me', owner: users.a.id });
    const kept = await admin.collection(notes).create({ title: 'keep me', owner: users.a.id });
    await barrier(barriers);
    expect(inbox.events).toEqual([{ action: 'create', record: { id: kept.id, title: 'keep me', expand: { owner: { name: 'a' } } } }]);
    expect(plain.events.map((e) => e.record.id)).toEqual([dropped.id, kept.id]);
    expect(plain.events[0].record).not.toHaveProperty('expand');
    await pbA.realtime.unsubscribe();
  });

  it('skips @request. and @collection. in a non-superuser filter, and headers feed @request.headers in rules', async () => {
    const tagged = uniqueName('tagged');
    await admin.collections.create({
      name: tagged, type: 'base', fields: [{ name: 'tag', type: 'text' }],
      listRule: 'tag = @request.headers.x_tag', createRule: '',
    });
    const guest = client();
    const byHeader = await listen(guest, tagged, '*', { headers: { 'X-Tag': 'blue' } });
    const privileged = await listen(guest, tagged, '*', { headers: { 'X-Tag': 'blue' }, filter: '@request.context = "realtime"' });
    const barriers = [await listen(guest, pings, '*')];
    await admin.collection(tagged).create({ tag: 'red' });
    const blue = await admin.collection(tagged).create({ tag: 'blue' });
    await barrier(barriers);
    expect(byHeader.events.map((e) => e.record.id)).toEqual([blue.id]);
    expect(privileged.events).toEqual([]);
    await guest.realtime.unsubscribe();
  });
});

describe('events leave only after commit', () => {
  it('a write refused by validation sends nothing', async () => {
    const su = await s.admin();
    const inbox = await listen(su, notes, '*');
    const barriers = [await listen(su, pings, '*')];
    const refused = await s.request('POST', `/api/collections/${notes}/records`, { token: await s.adminToken(), body: { title: '' } });
    expect(refused.status).toBe(400);
    await barrier(barriers);
    expect(inbox.events).toEqual([]);
    await su.realtime.unsubscribe();
  });

  it('a delete whose cascade ran and then failed sends nothing; the committed one sends every cascaded delete', async () => {
    const parents = uniqueName('parents');
    const parent = await admin.collections.create({ name: parents, type: 'base', fields: [{ name: 't', type: 'text' }], listRule: '', viewRule: '', deleteRule: '' });
    const cascaded = uniqueName('cascaded');
    await admin.collections.create({
      name: cascaded, type: 'base', listRule: '', viewRule: '',
      fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, cascadeDelete: true }],
    });
    const blockers = uniqueName('blockers');
    await admin.collections.create({
      name: blockers, type: 'base', listRule: '', viewRule: '',
      fields: [{ name: 'p', type: 'relation', collectionId: parent.id, maxSelect: 1, required: true }],
    });
    const p = await admin.collection(parents).create({ t: 'p' });
    const child = await admin.collection(cascaded).create({ p: p.id });
    const blocker = await admin.collection(blockers).create({ p: p.id });
    const su = await s.admin();
    const childEvents = await listen(su, cascaded, '*');
    const parentEvents = await listen(su, parents, '*');
    const barriers = [await listen(su, pings, '*')];

    const blocked = await s.request('DELETE', `/api/collections/${parents}/records/${p.id}`, { token: await s.adminToken() });
    expect(blocked.status).toBe(400);
    await barrier(barriers);
    expect(childEvents.events).toEqual([]);
    expect(parentEvents.events).toEqual([]);
    expect((await s.request('GET', `/api/collections/${cascaded}/records/${child.id}`, { token: await s.adminToken() })).status).toBe(200);

    await admin.collection(blockers).delete(blocker.id);
    await admin.collection(parents).delete(p.id);
    await barrier(barriers);
    expect(childEvents.events).toEqual([expect.objectContaining({ action: 'delete', record: expect.objectContaining({ id: child.id }) })]);
    expect(parentEvents.events).toEqual([expect.objectContaining({ action: 'delete', record: expect.objectContaining({ id: p.id }) })]);
    await su.realtime.unsubscribe();
  });
});

describe('auth binding (docs/api.md §6.2)', () => {
  it('follows the bound record: a tokenKey change unbinds, so owner-only events stop', async () => {
    const email = `${uniqueName('bound')}@example.com`;
    const user = await admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
    const pb = client();
    await pb.collection('users').authWithPassword(email, PASSWORD);
    const inbox = await listen(pb, notes, '*');
    const barriers = [await listen(pb, pings, '*')];
    await admin.collection(notes).create({ title: 'before', owner: user.id });
    await barrier(barriers);
    expect(inbox.events.map((e) => e.record.title)).toEqual(['before']);

    // A password change renews the tokenKey (docs/api.md §3.7): the bound auth is unset.
    await admin.collection('users').update(user.id, { password: 'another-pass-123', passwordConfirm: 'another-pass-123' });
    await admin.collection(notes).create({ title: 'after', owner: user.id });
    await barrier(barriers);
    expect(inbox.events.map((e) => e.record.title)).toEqual(['before']);
    pb.authStore.clear();
    await pb.realtime.unsubscribe();
  });

  it('unbinds a deleted auth record', async () => {
    const email = `${uniqueName('gone')}@example.com`;
    const user = await admin.collection('users').create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
    const pb = client();
    await pb.collection('users').authWithPassword(email, PASSWORD);
    const watcher = uniqueName('watch');
    // listRule true for any signed-in record: after the unbind the client is a guest.
    await admin.collections.create({ name: watcher, type: 'base', fields: [{ name: 't', type: 'text' }], listRule: '@request.auth.id != ""' });
    const inbox = await listen(pb, watcher, '*');
    const barriers = [await listen(pb, pings, '*')];
    await admin.collection(watcher).create({ t: 'one' });
    await barrier(barriers);
    await admin.collection('users').delete(user.id);
    await admin.collection(watcher).create({ t: 'two' });
    await barrier(barriers);
    expect(inbox.events.map((e) => e.record.t)).toEqual(['one']);
    pb.authStore.clear();
    await pb.realtime.unsubscribe();
  });
});

describe('connection lifetime', () => {
  it('unsubscribe() closes the stream and frees the client on the server', async () => {
    await until(() => s.node.realtime.size === 0, 'earlier tests to close their streams');
    const before = 0;
    const pbs = await Promise.all([1, 2, 3].map(async () => {
      const pb = client();
      await listen(pb, pings, '*');
      return pb;
    }));
    expect(s.node.realtime.size).toBe(before + 3);
    for (const pb of pbs) await pb.realtime.unsubscribe();
    await until(() => s.node.realtime.size === before, 'the server to forget the clients');
  });

  it('after the server drops the stream, the SDK reconnects with a new client id and re-subscribes', async () => {
    const pb = client();
    const inbox = await listen(pb, pings, '*');
    const firstId = pb.realtime.clientId;
    expect(firstId).toMatch(/^.{40}$/);
    s.node.realtime.closeAll();
    await until(() => pb.realtime.clientId !== firstId && pb.realtime.isConnected, 'the SDK to reconnect');
    // The SDK re-POSTs its subscriptions after PB_CONNECT: ping until one arrives.
    for (let attempt = 0; attempt < 50 && inbox.events.length === 0; attempt++) {
      await admin.collection(pings).create({ n: 'again' });
      await until(() => inbox.events.length > 0, 'a ping', 200).catch(() => undefined);
    }
    expect(inbox.events[0]).toMatchObject({ action: 'create', record: { n: 'again' } });
    await pb.realtime.unsubscribe();
  });

  it('closes idle streams after the idle timeout (shortened here)', async () => {
    s.node.realtime.setTimeouts({ idleMs: 200, sweepMs: 20 });
    try {
      const res = await fetch(`${s.url}/api/realtime`);
      const reader = res.body!.getReader();
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(text).toMatch(/^id:.{40}\nevent:PB_CONNECT\n/);
    } finally {
      s.node.realtime.setTimeouts({ idleMs: 5 * 60_000, sweepMs: 5_000 });
    }
  });

  it('frees every client whose connection the browser closed', async () => {
    await until(() => s.node.realtime.size === 0, 'earlier tests to close their streams');
    const before = 0;
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const opened = await Promise.all(controllers.map(async (c) => {
      const res = await fetch(`${s.url}/api/realtime`, { signal: c.signal });
      await res.body!.getReader().read();
    }));
    expect(opened).toHaveLength(20);
    expect(s.node.realtime.size).toBe(before + 20);
    for (const c of controllers) c.abort();
    await until(() => s.node.realtime.size === before, 'the server to free aborted clients');
  });
});

/** Opens a raw stream and returns its client id, headers and a reader of later frames. */
async function rawStream(headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/realtime`, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const clientId = /^id:(.*)\n/.exec(first)?.[1] ?? '';
  return { res, first, clientId, reader, close: () => controller.abort() };
}

describe('raw SSE and POST /api/realtime', () => {
  it('sends PB_CONNECT in the exact frame format with the stream headers, security headers and CORS', async () => {
    const stream = await rawStream({ Origin: 'http://example.test' });
    expect(stream.res.status).toBe(200);
    expect(stream.first).toBe(`id:${stream.clientId}\nevent:PB_CONNECT\ndata:{"clientId":"${stream.clientId}"}\n\n`);
    expect(stream.clientId).toHaveLength(40);
    const h = stream.res.headers;
    expect(h.get('content-type')).toBe('text/event-stream');
    expect(h.get('cache-control')).toBe('no-store');
    expect(h.get('x-accel-buffering')).toBe('no');
    expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(h.get('access-control-allow-origin')).toBe('*');
    stream.close();
  });

  it('names each event after the full subscription string', async () => {
    const stream = await rawStream();
    const topic = `${pings}/*?options=${encodeURIComponent(JSON.stringify({ query: { fields: 'n' } }))}`;
    const set = await s.request('POST', '/api/realtime', { body: { clientId: stream.clientId, subscriptions: [topic] } });
    expect(set.status).toBe(204);
    await admin.collection(pings).create({ n: 'raw' });
    const frame = new TextDecoder().decode((await stream.reader.read()).value);
    expect(frame).toBe(`id:${stream.clientId}\nevent:${topic}\ndata:{"action":"create","record":{"n":"raw"}}\n\n`);
    stream.close();
  });

  it.each([
    ['no clientId', {}, 400, 'clientId', 'validation_required'],
    ['a clientId over 255 chars', { clientId: 'x'.repeat(256) }, 400, 'clientId', 'validation_length_out_of_range'],
    ['subscriptions not a list', { clientId: 'x', subscriptions: 'a' }, 400, 'subscriptions', 'validation_invalid_value'],
    ['over 1000 subscriptions', { clientId: 'x', subscriptions: Array(1001).fill('a') }, 400, 'subscriptions', 'validation_length_too_long'],
  ])('answers 400 for %s', async (_name, body, status, field, code) => {
    const res = await s.request('POST', '/api/realtime', { body });
    expect(res.status).toBe(status);
    expect(res.body.data[field].code ?? Object.values(res.body.data[field])[0]).toBe(code);
  });

  it('answers 400 for a subscription over 2500 chars, naming its index', async () => {
    const res = await s.request('POST', '/api/realtime', { body: { clientId: 'x', subscriptions: ['ok', 'a'.repeat(2501)] } });
    expect(res.status).toBe(400);
    expect(res.body.data.subscriptions['1'].code).toBe('validation_length_too_long');
  });

  it('answers 404 for an unknown client id', async () => {
    const res = await s.request('POST', '/api/realtime', { body: { clientId: 'nope', subscriptions: [] } });
    expect(res).toMatchObject({ status: 404, body: { status: 404, message: 'Missing or invalid client id.', data: {} } });
  });

  it('answers 400 when the subscribe call comes from another IP than the stream', async () => {
    const stream = await rawStream();
    const res = await s.node.http.inject({
      method: 'POST', url: '/api/realtime', remoteAddress: '10.1.2.3',
      payload: { clientId: stream.clientId, subscriptions: [pings] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ message: 'Invalid realtime client.' });
    stream.close();
  });

  it('allows guest→user, keeps the same user, and refuses another user or a guest once bound (403)', async () => {
    const stream = await rawStream();
    const tokenA = (await users.a.pb()).authStore.token;
    const tokenB = (await users.b.pb()).authStore.token;
    const post = (token?: string) => s.request('POST', '/api/realtime', { token, body: { clientId: stream.clientId, subscriptions: [pings] } });
    expect((await post()).status).toBe(204);
    expect((await post(tokenA)).status).toBe(204);
    expect((await post(tokenA)).status).toBe(204);
    const other = await post(tokenB);
    expect(other).toMatchObject({ status: 403, body: { message: "The current and the previous request authorization don't match." } });
    expect((await post()).status).toBe(403);
    stream.close();
  });

  it('ignores topics it does not know and a HEAD request opens no stream', async () => {
    const stream = await rawStream();
    const set = await s.request('POST', '/api/realtime', { body: { clientId: stream.clientId, subscriptions: ['nothing/here', 'bad?options=%7Bnot-json'] } });
    expect(set.status).toBe(204);
    const head = await fetch(`${s.url}/api/realtime`, { method: 'HEAD' });
    expect(head.headers.get('content-type')).not.toBe('text/event-stream');
    stream.close();
  });
});
