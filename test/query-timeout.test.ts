/**
 * The query time budget (`--queryTimeout`, issue 10 item 5): a filter that joins rows to
 * rows to rows answers a prompt 400 instead of running for minutes, and on SQLite, where
 * the statement holds the event loop, the server answers `/api/health` again within the
 * bound. Ordinary lists are unaffected; superusers are bounded too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_TIMEOUT_MESSAGE } from '../src/errors/query-timeout.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** The budget of one statement in these tests, in seconds. */
const BUDGET = 0.2;
const POSTS = 10;
const COMMENTS_PER_POST = 60;

/**
 * Six hops through the back-relation posts → comments, which has no unique index, so each
 * hop visits every comment of every post reached, and `!=` must check every value it
 * reaches ("all" semantics): well over 30 s on this data without a budget, on either engine.
 */
const RUNAWAY = 'comments_via_post.post.comments_via_post.post.comments_via_post.post.title != "zz"';

let s: TestServer;
let admin: string;

beforeAll(async () => {
  s = await startTestServer({ queryTimeout: BUDGET });
  admin = await s.adminToken();
  const posts = await s.request('POST', '/api/collections', {
    token: admin, body: { name: 'posts', type: 'base', listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }] },
  });
  expect(posts.status).toBe(200);
  const comments = await s.request('POST', '/api/collections', {
    token: admin,
    body: {
      name: 'comments', type: 'base', listRule: '', viewRule: '',
      fields: [{ name: 'text', type: 'text' }, { name: 'post', type: 'relation', collectionId: posts.body.id, maxSelect: 1 }],
    },
  });
  expect(comments.status).toBe(200);
  const view = await s.request('POST', '/api/collections', {
    token: admin, body: { name: 'post_titles', type: 'view', listRule: '', viewQuery: 'SELECT id, title FROM posts' },
  });
  expect(view.status).toBe(200);
  // Seeded through batches: one transaction per post instead of one request per comment.
  const settings = await s.request('PATCH', '/api/settings', { token: admin, body: { batch: { enabled: true, maxRequests: 100 } } });
  expect(settings.status).toBe(200);
  for (let p = 0; p < POSTS; p++) {
    const post = await s.request('POST', '/api/collections/posts/records', { token: admin, body: { title: `p${p}` } });
    expect(post.status).toBe(200);
    const requests = Array.from({ length: COMMENTS_PER_POST }, (_, c) => ({
      method: 'POST', url: '/api/collections/comments/records', body: { text: `c${c}`, post: post.body.id },
    }));
    const batch = await s.request('POST', '/api/batch', { token: admin, body: { requests } });
    expect(batch.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

/**
 * Sends a list request and, while it runs, `/api/health`; returns both answers and when
 * each arrived, in ms after the list was sent.
 */
async function listWithHealth(query: string, token?: string) {
  const started = performance.now();
  const list = s.request('GET', `/api/collections/posts/records?${query}`, { token }).then((r) => ({ ...r, at: performance.now() - started }));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const health = await s.request('GET', '/api/health').then((r) => ({ ...r, at: performance.now() - started }));
  return { list: await list, health };
}

describe('a runaway filter', () => {
  it('answers a prompt 400 to a guest, and the server keeps answering', async () => {
    const { list, health } = await listWithHealth(`perPage=1000&filter=${encodeURIComponent(RUNAWAY)}`);
    expect(list.status).toBe(400);
    expect(list.body).toEqual({ status: 400, message: QUERY_TIMEOUT_MESSAGE, data: {} });
    // Generous bounds: the budget is 0.2 s per statement; without it this runs for tens of seconds.
    expect(list.at).toBeLessThan(5_000);
    expect(health.status).toBe(200);
    expect(health.at).toBeLessThan(5_000);
  }, 120_000);

  it('is bounded for a superuser too', async () => {
    const { list, health } = await listWithHealth(`perPage=1000&skipTotal=1&filter=${encodeURIComponent(RUNAWAY)}`, admin);
    expect(list.status).toBe(400);
    expect(list.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(list.at).toBeLessThan(5_000);
    expect(health.status).toBe(200);
    expect(health.at).toBeLessThan(5_000);
  }, 120_000);

  it('is bounded in a sort as well', async () => {
    const sort = encodeURIComponent('comments_via_post.post.comments_via_post.post.comments_via_post.post.title');
    const { list, health } = await listWithHealth(`perPage=1000&skipTotal=1&sort=${sort}`);
    expect(list.status).toBe(400);
    expect(list.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(list.at).toBeLessThan(5_000);
    expect(health.status).toBe(200);
  }, 120_000);
});

describe('a runaway filter in a cursor list or an aggregate', () => {
  it('answers a prompt 400 through a cursor list and an aggregate (docs/api.md §3.10, §3.11)', async () => {
    const filter = encodeURIComponent(RUNAWAY);
    for (const query of [`perPage=1000&cursor=&filter=${filter}`, `sort=${encodeURIComponent('-comments_via_post.post.comments_via_post.post.comments_via_post.post.title')}&cursor=`]) {
      const { list, health } = await listWithHealth(query);
      expect(list.status, query).toBe(400);
      expect(list.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
      expect(list.at).toBeLessThan(5_000);
      expect(health.status).toBe(200);
    }
    const started = performance.now();
    const agg = await s.request('GET', `/api/collections/posts/records/aggregate?groupBy=title&filter=${filter}`);
    expect(agg.status).toBe(400);
    expect(agg.body.message).toBe(QUERY_TIMEOUT_MESSAGE);
    expect(performance.now() - started).toBeLessThan(5_000);
    const ordinary = await s.request('GET', '/api/collections/comments/records/aggregate?groupBy=post.title&sort=-count');
    expect(ordinary.status, ordinary.text).toBe(200);
    expect(ordinary.body.items).toHaveLength(POSTS);
    expect(ordinary.body.items[0].count).toBe(COMMENTS_PER_POST);
  }, 120_000);
});

describe('ordinary lists under the same budget', () => {
  it.each([
    ['a plain filter', `filter=${encodeURIComponent('title = "p3"')}`, 1],
    ['one back-relation hop', `filter=${encodeURIComponent('comments_via_post.text ?= "c7"')}`, POSTS],
    ['two hops with "all" semantics', `filter=${encodeURIComponent('comments_via_post.post.title != ""')}`, POSTS],
    ['a sort through a back-relation', `sort=${encodeURIComponent('-comments_via_post.text')}`, POSTS],
    ['no filter', '', POSTS],
  ])('%s → 200', async (_name, query, total) => {
    const r = await s.request('GET', `/api/collections/posts/records?perPage=100&${query}`);
    expect(r.status).toBe(200);
    expect(r.body.totalItems).toBe(total);
  });

  it('lists a view collection', async () => {
    const r = await s.request('GET', `/api/collections/post_titles/records?filter=${encodeURIComponent('title ~ "p"')}`);
    expect(r.status).toBe(200);
    expect(r.body.totalItems).toBe(POSTS);
  });

  it('lists the many rows of a relation', async () => {
    const r = await s.request('GET', `/api/collections/comments/records?perPage=500&filter=${encodeURIComponent('post.title = "p3"')}`);
    expect(r.status).toBe(200);
    expect(r.body.totalItems).toBe(COMMENTS_PER_POST);
  });
});
