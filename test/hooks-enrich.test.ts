/**
 * onRecordEnrich (docs/hooks.md §2) at the HTTP boundary: it runs for every record
 * serialized for a requester — lists, views, writes, expanded records, auth
 * responses and realtime messages — with the requester's requestInfo, and what a
 * handler hides, shows, sets or adds reaches only that requester's JSON.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/collections.js';
import type { HookHandle } from '../src/tools/hook.js';
import { HookHandles } from './helpers/hook-test-server.js';

// Node 20 has no EventSource; the SDK uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

let s: TestServer;
let token: string;
const hooks = new HookHandles();

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
});

const track = (h: HookHandle): void => hooks.track(h);
const unbindAll = (): void => hooks.unbindAll();

async function posts(): Promise<{ authors: string; posts: string; authorId: string; postId: string }> {
  const authors = uniqueName('authors');
  const postsName = uniqueName('posts');
  const a = await createCollection(s, token, { name: authors, type: 'base', fields: [{ name: 'name', type: 'text' }, { name: 'secret', type: 'text', hidden: true }], listRule: '', viewRule: '' });
  await createCollection(s, token, {
    name: postsName, type: 'base', listRule: '', viewRule: '', createRule: '', updateRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'draft', type: 'text' }, { name: 'author', type: 'relation', collectionId: a.id, maxSelect: 1 }],
  });
  const authorId = await createRecord(s, token, authors, { name: 'Ann', secret: 'ann-secret' });
  const postId = await createRecord(s, token, postsName, { title: 'Hello', draft: 'notes', author: authorId });
  return { authors, posts: postsName, authorId, postId };
}

describe('onRecordEnrich', () => {
  it('changes lists, views and writes for each requester: hidden, shown, set and custom fields', async () => {
    const c = await posts();
    const seen: string[] = [];
    track(s.node.onRecordEnrich(async (e) => {
      seen.push(`${e.collection.name}:${e.requestInfo.isSuperuser ? 'superuser' : 'guest'}`);
      if (!e.requestInfo.isSuperuser) e.record.hide('draft');
      e.record.set('title', e.record.getString('title').toUpperCase());
      e.record.set('shout', true).withCustomData(true);
      await e.next();
    }, c.posts));
    try {
      const list = await s.request('GET', `/api/collections/${c.posts}/records`);
      expect(list.status).toBe(200);
      expect(list.body.items[0]).toMatchObject({ id: c.postId, title: 'HELLO', shout: true });
      expect(list.body.items[0]).not.toHaveProperty('draft');
      const view = await s.request('GET', `/api/collections/${c.posts}/records/${c.postId}`, { token });
      expect(view.body).toMatchObject({ title: 'HELLO', draft: 'notes', shout: true });
      const created = await s.request('POST', `/api/collections/${c.posts}/records`, { body: { title: 'new', draft: 'd' } });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ title: 'NEW', shout: true });
      expect(created.body).not.toHaveProperty('draft');
      // The handler changed only what was shown: unbound, the stored title reads as sent.
      const stored = await s.request('GET', `/api/collections/${c.posts}/records/${created.body.id}`);
      expect(stored.body.title).toBe('NEW');
      unbindAll();
      expect((await s.request('GET', `/api/collections/${c.posts}/records/${created.body.id}`)).body.title).toBe('new');
      expect(seen).toEqual([`${c.posts}:guest`, `${c.posts}:superuser`, `${c.posts}:guest`, `${c.posts}:guest`]);
    } finally {
      unbindAll();
    }
  });

  it('runs for expanded records too, where a handler may show a hidden field', async () => {
    const c = await posts();
    track(s.node.onRecordEnrich(async (e) => {
      e.record.unhide('secret');
      await e.next();
    }, c.authors));
    try {
      const r = await s.request('GET', `/api/collections/${c.posts}/records/${c.postId}?expand=author`);
      expect(r.status).toBe(200);
      expect(r.body.expand.author).toMatchObject({ id: c.authorId, name: 'Ann', secret: 'ann-secret' });
    } finally {
      unbindAll();
    }
    const plain = await s.request('GET', `/api/collections/${c.posts}/records/${c.postId}?expand=author`);
    expect(plain.body.expand.author).not.toHaveProperty('secret');
  });

  it('runs for the record of an auth response and of a realtime message', async () => {
    const c = await posts();
    const admin = await s.admin();
    const email = `enrich-${Math.random().toString(36).slice(2, 8)}@example.com`;
    await admin.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
    track(s.node.onRecordEnrich(async (e) => {
      e.record.set('enriched', e.collection.name).withCustomData(true);
      await e.next();
    }));
    try {
      const auth = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: email, password: 'password123' } });
      expect(auth.body.record.enriched).toBe('users');

      const pb = s.client();
      const events: any[] = [];
      const unsubscribe = await pb.collection(c.posts).subscribe('*', (e) => events.push(e));
      try {
        await s.request('PATCH', `/api/collections/${c.posts}/records/${c.postId}`, { body: { title: 'changed' } });
        for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
        expect(events[0]?.record).toMatchObject({ id: c.postId, title: 'changed', enriched: c.posts });
      } finally {
        await unsubscribe();
      }
    } finally {
      unbindAll();
    }
  });
});
