/**
 * The expand budget (issue 10 item 4) and hidden relations in expand: a path that
 * multiplies answers a prompt 400 that changes nothing, on every route that expands
 * (records, batch, auth, realtime); lists read back-relations for all items at once;
 * ordinary expands up to PocketBase's limits still work; a hidden relation field
 * (or a back-relation through one) is expanded for superusers only.
 */
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, signIn, uniqueName } from './helpers/record-scenarios.js';

// Node 20 has no EventSource; the SDK's realtime client uses the global one.
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const TOO_LARGE = /expand is too large/;
const PASSWORD = 'user-password-123';

let s: TestServer;
let admin: string;
let posts: string;
let comments: string;
let tags: string;
let labels: string;
let post: any;
let listed: any[];
let user: { id: string; email: string; token: string };

/** Creates records in batches of 1000 (one transaction each) as the superuser; returns their JSON. */
async function createMany(collection: string, bodies: Record<string, unknown>[]): Promise<any[]> {
  const out: any[] = [];
  for (let i = 0; i < bodies.length; i += 1000) {
    const requests = bodies.slice(i, i + 1000).map((body) => ({ method: 'POST', url: `/api/collections/${collection}/records`, body }));
    const r = await s.request('POST', '/api/batch', { token: admin, body: { requests } });
    expect(r.status, r.text.slice(0, 500)).toBe(200);
    out.push(...r.body.map((x: any) => x.body));
  }
  return out;
}

/** `comments_via_post.post` repeated: each round multiplies the records written out by the comments of the post. */
function multiplyingPath(rounds: number): string {
  return Array(rounds).fill(`${comments}_via_post.post`).join('.');
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const settings = await s.request('PATCH', '/api/settings', { token: admin, body: { batch: { enabled: true, maxRequests: 1000, timeout: 300 } } });
  expect(settings.status, settings.text).toBe(200);
  const usersCollection = (await s.request('GET', '/api/collections/users', { token: admin })).body;
  posts = uniqueName('posts');
  const postsCollection = await createCollection(s, {
    name: posts, listRule: '', viewRule: '', createRule: '', updateRule: '',
    fields: [{ name: 'title', type: 'text' }],
  });
  comments = uniqueName('comments');
  await createCollection(s, {
    name: comments, listRule: '', viewRule: '', createRule: '',
    fields: [
      { name: 'body', type: 'text' },
      { name: 'post', type: 'relation', collectionId: postsCollection.id, maxSelect: 1 },
      { name: 'author', type: 'relation', collectionId: usersCollection.id, maxSelect: 1 },
    ],
  });
  tags = uniqueName('tags');
  await createCollection(s, {
    name: tags, listRule: '', viewRule: '',
    fields: [{ name: 'name', type: 'text' }, { name: 'posts', type: 'relation', collectionId: postsCollection.id, maxSelect: 1000 }],
  });
  labels = uniqueName('labels');
  await createCollection(s, {
    name: labels, listRule: '', viewRule: '',
    fields: [{ name: 'name', type: 'text' }, { name: 'posts', type: 'relation', collectionId: postsCollection.id, maxSelect: 2 }],
  });
  const email = `${uniqueName('u')}@example.com`;
  const u = await createRecord(s, 'users', { email, password: PASSWORD, passwordConfirm: PASSWORD });
  user = { id: u.id, email, token: await signIn(s, 'users', email, PASSWORD) };

  // One post with 1001 comments (one past PocketBase's 1000 per back-relation), all by `user`.
  post = await createRecord(s, posts, { title: 'P' });
  await createMany(comments, Array.from({ length: 1001 }, (_, i) => ({ body: `c${i}`, post: post.id, author: user.id })));
  // 1000 listed posts with one comment each; label i names posts i and i+1; 21 tags name every post
  // (each tag's JSON holds 1000 ids, about 17 KB).
  listed = await createMany(posts, Array.from({ length: 1000 }, (_, i) => ({ title: `q${i}` })));
  await createMany(comments, listed.map((p, i) => ({ body: `q${i}`, post: p.id })));
  await createMany(labels, listed.map((p, i) => ({ name: `l${i}`, posts: [p.id, listed[(i + 1) % 1000].id] })));
  await createMany(tags, Array.from({ length: 21 }, (_, i) => ({ name: `t${i}`, posts: listed.map((p) => p.id) })));
}, 300_000);
afterAll(async () => { await s?.close(); });

describe('a multiplying expand', () => {
  it('answers a prompt 400 while the server keeps serving', async () => {
    const started = Date.now();
    const [attack, health] = await Promise.all([
      s.request('GET', `/api/collections/${posts}/records/${post.id}?expand=${multiplyingPath(3)}`),
      s.request('GET', '/api/health'),
    ]);
    const elapsed = Date.now() - started;
    expect(attack.status, attack.text.slice(0, 300)).toBe(400);
    expect(attack.body).toMatchObject({ status: 400, data: {} });
    expect(attack.body.message).toMatch(TOO_LARGE);
    expect(health.status).toBe(200);
    // Generous: the budget stops it after a few thousand rows; written out it was ~10⁹ records.
    expect(elapsed).toBeLessThan(10_000);
    expect((await s.request('GET', '/api/health')).status).toBe(200);
  });

  it('refuses it on a write, which then changes nothing', async () => {
    const r = await s.request('PATCH', `/api/collections/${posts}/records/${post.id}?expand=${multiplyingPath(3)}`, { body: { title: 'changed' } });
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body.message).toMatch(TOO_LARGE);
    const after = await s.request('GET', `/api/collections/${posts}/records/${post.id}`);
    expect(after.body.title).toBe('P');
  });

  it('refuses it in a batch, which then changes nothing', async () => {
    const requests = [
      { method: 'POST', url: `/api/collections/${posts}/records`, body: { title: 'batched' } },
      { method: 'PATCH', url: `/api/collections/${posts}/records/${post.id}?expand=${multiplyingPath(3)}`, body: { title: 'changed' } },
    ];
    const r = await s.request('POST', '/api/batch', { token: admin, body: { requests } });
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body.data.requests[1].response).toMatchObject({ status: 400, message: expect.stringMatching(TOO_LARGE) });
    const found = await s.request('GET', `/api/collections/${posts}/records?filter=${encodeURIComponent('title = "batched"')}`);
    expect(found.body.items).toEqual([]);
  });

  it('refuses it on an auth response', async () => {
    const path = `${comments}_via_author.post.${multiplyingPath(2)}`;
    const r = await s.request('POST', `/api/collections/users/auth-with-password?expand=${path}`, { body: { identity: user.email, password: PASSWORD } });
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body.message).toMatch(TOO_LARGE);
  });

  it('sends realtime subscribers the record without expand', async () => {
    const pb = s.client().autoCancellation(false);
    const events: any[] = [];
    await pb.collection(posts).subscribe(post.id, (e) => events.push(e), { expand: multiplyingPath(3) });
    const small: any[] = [];
    await pb.collection(posts).subscribe('*', (e) => small.push(e), { expand: `${comments}_via_post`, filter: `id = "${post.id}"` });
    const r = await s.request('PATCH', `/api/collections/${posts}/records/${post.id}`, { token: admin, body: { title: 'P2' } });
    expect(r.status).toBe(200);
    const deadline = Date.now() + 20_000;
    while ((events.length === 0 || small.length === 0) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(events).toHaveLength(1);
    expect(events[0].record).toMatchObject({ id: post.id, title: 'P2' });
    expect(events[0].record).not.toHaveProperty('expand');
    // Another subscription of the same event, within the budget, still gets its expand (capped at 1000).
    expect(small[0].record.expand[`${comments}_via_post`]).toHaveLength(1000);
    await pb.realtime.unsubscribe();
    await s.request('PATCH', `/api/collections/${posts}/records/${post.id}`, { token: admin, body: { title: 'P' } });
  });
});

describe('lists with back-relations', () => {
  const filter = encodeURIComponent('title ~ "q"');

  it('expand each item\'s own back-related records for 1000 items', async () => {
    const r = await s.request('GET', `/api/collections/${posts}/records?perPage=1000&filter=${filter}&expand=${comments}_via_post`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.items).toHaveLength(1000);
    for (const item of r.body.items) {
      const list = item.expand[`${comments}_via_post`];
      expect(list.map((c: any) => c.body)).toEqual([item.title]);
      expect(list[0].post).toBe(item.id);
    }
  });

  it('expand a multiple back-relation for 1000 items', async () => {
    const r = await s.request('GET', `/api/collections/${posts}/records?perPage=1000&filter=${filter}&expand=${labels}_via_posts`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.items).toHaveLength(1000);
    r.body.items.forEach((item: any) => {
      const i = Number(item.title.slice(1));
      const names = item.expand[`${labels}_via_posts`].map((l: any) => l.name).sort();
      expect(names).toEqual([`l${i}`, `l${(i + 999) % 1000}`].sort());
    });
  });

  it('answer 400 past the budget (1000 items × 21 records of 17 KB)', async () => {
    const r = await s.request('GET', `/api/collections/${posts}/records?perPage=1000&filter=${filter}&expand=${tags}_via_posts`);
    expect(r.status, r.text.slice(0, 300)).toBe(400);
    expect(r.body.message).toMatch(TOO_LARGE);
  });
});

describe('ordinary expands', () => {
  it('keep PocketBase\'s 1000 per back-relation, with a nested relation on each', async () => {
    const r = await s.request('GET', `/api/collections/${posts}/records/${post.id}?expand=${comments}_via_post.post`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const list = r.body.expand[`${comments}_via_post`];
    expect(list).toHaveLength(1000);
    expect(list.slice(0, 3).map((c: any) => c.body)).toEqual(['c0', 'c1', 'c2']);
    expect(list.every((c: any) => c.expand.post.id === post.id)).toBe(true);
  });

  it('expand a single relation on 1000 listed items', async () => {
    const r = await s.request('GET', `/api/collections/${comments}/records?perPage=1000&expand=post,author`);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.items).toHaveLength(1000);
    expect(r.body.items.every((c: any) => c.expand.post.id === c.post)).toBe(true);
  });
});

describe('hidden relation fields', () => {
  let vault: string;
  let owners: string;
  let owner: any;
  let box: any;
  beforeAll(async () => {
    owners = uniqueName('owners');
    const ownersCollection = await createCollection(s, { name: owners, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] });
    vault = uniqueName('vault');
    await createCollection(s, {
      name: vault, listRule: '', viewRule: '',
      fields: [{ name: 'label', type: 'text' }, { name: 'owner', type: 'relation', collectionId: ownersCollection.id, maxSelect: 1, hidden: true }],
    });
    owner = await createRecord(s, owners, { name: 'Olga' });
    box = await createRecord(s, vault, { label: 'box', owner: owner.id });
  });

  it.each([
    ['a guest', () => undefined],
    ['a signed-in user', () => user.token],
  ])('are not expanded for %s, nor back-relations through them', async (_who, token) => {
    const direct = await s.request('GET', `/api/collections/${vault}/records/${box.id}?expand=owner`, { token: token() });
    expect(direct.status, direct.text).toBe(200);
    expect(direct.body).not.toHaveProperty('owner');
    expect(direct.body.expand ?? {}).not.toHaveProperty('owner');
    const back = await s.request('GET', `/api/collections/${owners}/records/${owner.id}?expand=${vault}_via_owner`, { token: token() });
    expect(back.status, back.text).toBe(200);
    expect(back.body.expand ?? {}).not.toHaveProperty(`${vault}_via_owner`);
  });

  it('are expanded for a superuser, both ways', async () => {
    const direct = await s.request('GET', `/api/collections/${vault}/records/${box.id}?expand=owner`, { token: admin });
    expect(direct.body.expand.owner).toMatchObject({ id: owner.id, name: 'Olga' });
    const back = await s.request('GET', `/api/collections/${owners}/records/${owner.id}?expand=${vault}_via_owner`, { token: admin });
    expect(back.body.expand[`${vault}_via_owner`]).toEqual([expect.objectContaining({ id: box.id, owner: owner.id })]);
  });
});
