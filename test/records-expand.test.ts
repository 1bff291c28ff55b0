/**
 * Expand (docs/api.md §3.8): single and multiple relations, nesting to 6 levels,
 * back-relations (array, or single with a unique index), the related
 * collection's viewRule, silently skipped paths, and expand on writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

describe('relations and back-relations', () => {
  let authors: any;
  let posts: any;
  let comments: any;
  let profiles: any;
  let secrets: any;
  let amy: any;
  let bob: any;
  let post: any;
  let hiddenSecret: any;
  beforeAll(async () => {
    secrets = await createCollection(s, { name: uniqueName('sec'), listRule: null, viewRule: null, fields: [{ name: 'v', type: 'text' }] });
    authors = await createCollection(s, { name: uniqueName('authors'), listRule: '', viewRule: "name != 'Private'", fields: [{ name: 'name', type: 'text' }, { name: 'secret', type: 'relation', collectionId: secrets.id, maxSelect: 1 }] });
    posts = await createCollection(s, {
      name: uniqueName('posts'), listRule: '', viewRule: '', createRule: '', updateRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 }, { name: 'coauthors', type: 'relation', collectionId: authors.id, maxSelect: 5 }],
    });
    comments = await createCollection(s, { name: uniqueName('comments'), listRule: '', viewRule: '', fields: [{ name: 'body', type: 'text' }, { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 }] });
    profiles = await createCollection(s, {
      name: uniqueName('profiles'), listRule: '', viewRule: '', fields: [{ name: 'bio', type: 'text' }, { name: 'author', type: 'relation', collectionId: authors.id, maxSelect: 1 }],
      indexes: [],
    });
    // A unique index on the back-relation field makes `profiles_via_author` single.
    const withIndex = await s.request('PATCH', `/api/collections/${profiles.id}`, { token: admin, body: { indexes: [`CREATE UNIQUE INDEX idx_${profiles.name}_author ON ${profiles.name} (author)`] } });
    expect(withIndex.status, withIndex.text).toBe(200);
    hiddenSecret = await createRecord(s, secrets.name, { v: 'classified' });
    amy = await createRecord(s, authors.name, { name: 'Amy', secret: hiddenSecret.id });
    bob = await createRecord(s, authors.name, { name: 'Bob' });
    const priv = await createRecord(s, authors.name, { name: 'Private' });
    post = await createRecord(s, posts.name, { title: 'P', author: amy.id, coauthors: [bob.id, priv.id, amy.id] });
    await createRecord(s, comments.name, { body: 'c1', post: post.id });
    await createRecord(s, comments.name, { body: 'c2', post: post.id });
    await createRecord(s, profiles.name, { bio: 'amy bio', author: amy.id });
  });

  it('expands single and multiple relations under the viewRule', async () => {
    const r = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}?expand=author,coauthors`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.expand.author).toMatchObject({ id: amy.id, name: 'Amy', collectionName: authors.name });
    expect(r.body.expand.coauthors.map((a: any) => a.name)).toEqual(['Bob', 'Amy']);
    const sup = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}?expand=coauthors`, { token: admin });
    expect(sup.body.expand.coauthors.map((a: any) => a.name)).toEqual(['Bob', 'Private', 'Amy']);
    const none = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}`);
    expect(none.body).not.toHaveProperty('expand');
  });

  it('skips forbidden and unknown paths silently', async () => {
    const r = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}?expand=author.secret,nope,title,author.nope,nope_via_x`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.expand.author.name).toBe('Amy');
    expect(r.body.expand).not.toHaveProperty('nope');
    expect(r.body.expand).not.toHaveProperty('title');
    expect(r.body.expand.author.expand ?? {}).not.toHaveProperty('secret');
    const sup = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}?expand=author.secret`, { token: admin });
    expect(sup.body.expand.author.expand.secret).toMatchObject({ v: 'classified' });
  });

  it('expands back-relations as arrays, or as one record with a unique index', async () => {
    const r = await s.request('GET', `/api/collections/${posts.name}/records/${post.id}?expand=${comments.name}_via_post`);
    expect(r.status, r.text).toBe(200);
    const list = r.body.expand[`${comments.name}_via_post`];
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((c: any) => c.body).sort()).toEqual(['c1', 'c2']);
    const a = await s.request('GET', `/api/collections/${authors.name}/records/${amy.id}?expand=${profiles.name}_via_author,${posts.name}_via_coauthors`);
    expect(a.status, a.text).toBe(200);
    expect(a.body.expand[`${profiles.name}_via_author`]).toMatchObject({ bio: 'amy bio' });
    expect(a.body.expand[`${posts.name}_via_coauthors`]).toEqual([expect.objectContaining({ id: post.id })]);
    // Nested: comment → post → author.
    const c = await s.request('GET', `/api/collections/${comments.name}/records?expand=post.author`);
    expect(c.body.items[0].expand.post.expand.author.name).toBe('Amy');
  });

  it('expands on create and update responses', async () => {
    const created = await s.request('POST', `/api/collections/${posts.name}/records?expand=author`, { body: { title: 'new', author: bob.id } });
    expect(created.status, created.text).toBe(200);
    expect(created.body.expand.author.name).toBe('Bob');
    const updated = await s.request('PATCH', `/api/collections/${posts.name}/records/${created.body.id}?expand=author,coauthors`, { body: { author: amy.id, coauthors: [bob.id] } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.expand.author.name).toBe('Amy');
    expect(updated.body.expand.coauthors.map((x: any) => x.name)).toEqual(['Bob']);
  });
});

describe('deep nesting', () => {
  it('expands up to 6 levels and no further', async () => {
    // chain: n0 → n1 → … → n7, all in one self-referencing collection
    const name = uniqueName('chain');
    const c = await createCollection(s, { name, listRule: '', viewRule: '', fields: [{ name: 'level', type: 'number' }] });
    const patched = await s.request('PATCH', `/api/collections/${c.id}`, { token: admin, body: { fields: [...c.fields, { name: 'next', type: 'relation', collectionId: c.id, maxSelect: 1 }] } });
    expect(patched.status, patched.text).toBe(200);
    let next = '';
    const ids: string[] = [];
    for (let level = 7; level >= 0; level--) {
      const rec = await createRecord(s, name, { level, next });
      next = rec.id;
      ids.unshift(rec.id);
    }
    const path = Array(8).fill('next').join('.');
    const r = await s.request('GET', `/api/collections/${name}/records/${ids[0]}?expand=${path}`);
    expect(r.status, r.text).toBe(200);
    let node = r.body;
    let depth = 0;
    while (node.expand?.next) {
      node = node.expand.next;
      depth++;
      expect(node.level).toBe(depth);
    }
    expect(depth).toBe(6);
  });
});
