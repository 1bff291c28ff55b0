/**
 * One query budget per request (docs/security.md "Queries"): a list with totals runs its
 * page and its COUNT, each of which alone stays under `--queryTimeout`; together they run
 * past it, and the request answers the 400 of a query timeout by about the budget instead
 * of holding the database for twice it. Ordinary lists and aggregates are unaffected.
 *
 * On PostgreSQL each statement of a view collection sleeps 75% of the budget (pg_sleep in
 * its SQL, once per statement). SQLite has no sleep: the cost of a filter is calibrated on
 * this machine first (k OR-ed two-hop back-relation terms, none matching, so the page and the
 * COUNT both read every row) until the page alone takes 65–90% of the budget. On a loaded
 * machine the page may take longer; the request still answers 400 by about the budget, which
 * is what the test asserts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUERY_TIMEOUT_MESSAGE } from '../src/errors/query-timeout.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { testDialect } from './helpers/test-database.js';

/** The query budget of these tests, in seconds. */
const BUDGET = 0.5;
const POSTS = 10;
const COMMENTS_PER_POST = 60;
/** One term: every comment of every post of every comment of a post (3,600 visits a post); none is "zz". */
const TERM = 'c_via_p.p.c_via_p.t ?= "zz"';
/** The most terms the filter limits allow (3,500 characters, 200 expressions). */
const MAX_TERMS = 120;

let s: TestServer;
let admin: string;

/** Collections `p` (posts) and `c` (comments of a post), POSTS × COMMENTS_PER_POST comments; the id of `p`. */
async function seed(server: TestServer, token: string): Promise<string> {
  const posts = await server.request('POST', '/api/collections', {
    token, body: { name: 'p', type: 'base', listRule: '', viewRule: '', fields: [{ name: 't', type: 'text' }] },
  });
  expect(posts.status).toBe(200);
  const comments = await server.request('POST', '/api/collections', {
    token,
    body: {
      name: 'c', type: 'base', listRule: '', viewRule: '',
      fields: [{ name: 't', type: 'text' }, { name: 'p', type: 'relation', collectionId: posts.body.id, maxSelect: 1 }],
    },
  });
  expect(comments.status).toBe(200);
  const settings = await server.request('PATCH', '/api/settings', { token, body: { batch: { enabled: true, maxRequests: 100, timeout: 30 } } });
  expect(settings.status).toBe(200);
  for (let p = 0; p < POSTS; p++) {
    const post = await server.request('POST', '/api/collections/p/records', { token, body: { t: `p${p}` } });
    expect(post.status).toBe(200);
    const requests = Array.from({ length: COMMENTS_PER_POST }, (_, c) => ({ method: 'POST', url: '/api/collections/c/records', body: { t: `c${c}`, p: post.body.id } }));
    expect((await server.request('POST', '/api/batch', { token, body: { requests } })).status).toBe(200);
  }
  return posts.body.id;
}

beforeAll(async () => {
  s = await startTestServer({ queryTimeout: BUDGET });
  admin = await s.adminToken();
  await seed(s, admin);
  if (testDialect() === 'postgres') {
    const viewQuery = `SELECT p.id, p.t FROM p CROSS JOIN (SELECT pg_sleep(${BUDGET * 0.75})) AS s`;
    const view = await s.request('POST', '/api/collections', { token: admin, body: { name: 'slow_p', type: 'view', listRule: '', viewQuery } });
    expect(view.status, view.text).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await s?.close();
});

/** The filter of `k` terms. */
function filterOf(k: number): string {
  return Array.from({ length: k }, () => TERM).join(' || ');
}

/**
 * Lists posts under the filter of `k` terms (on PostgreSQL: the sleeping view, and `k` is
 * ignored); the answer and how long it took in ms.
 */
async function list(k: number, totals: boolean) {
  const url = testDialect() === 'postgres'
    ? `/api/collections/slow_p/records?perPage=10${totals ? '' : '&skipTotal=1'}`
    : `/api/collections/p/records?perPage=10${totals ? '' : '&skipTotal=1'}&filter=${encodeURIComponent(filterOf(k))}`;
  const started = performance.now();
  const r = await s.request('GET', url);
  return { ...r, ms: performance.now() - started };
}

/**
 * The fastest of three page-only lists of `k` terms that answered, in ms; Infinity when all
 * three were refused (one refused in a busy moment does not count).
 */
async function pageTime(k: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const r = await list(k, false);
    if (r.status === 200) best = Math.min(best, r.ms);
  }
  return best;
}

/**
 * The number of terms whose page alone takes 65–90% of the budget on this machine: each try
 * scales the filter by the time its page took, towards 75% (a page's time grows with its
 * terms), and a filter refused every time shrinks by a quarter; else the largest filter
 * measured under the window.
 */
async function calibrate(): Promise<{ k: number; page: number }> {
  if (testDialect() === 'postgres') return { k: 0, page: await pageTime(0) };
  const budget = BUDGET * 1000;
  let under = { k: 0, page: 0 };
  let k = 1;
  for (let step = 0; step < 16; step++) {
    const page = await pageTime(k);
    if (page >= budget * 0.65 && page < budget * 0.9) return { k, page };
    if (page < budget * 0.65 && k > under.k) under = { k, page };
    const scaled = Number.isFinite(page) ? Math.round((k * budget * 0.75) / page) : Math.floor(k * 0.75);
    k = Math.min(MAX_TERMS, Math.max(1, page < budget * 0.65 ? Math.max(k + 1, scaled) : Math.min(k - 1, scaled)));
  }
  return under;
}

describe('a list whose page and total together run past the budget', () => {
  it('answers the 400 by about the budget, though each statement alone fits', async () => {
    const { k, page } = await calibrate();
    // Each statement alone fits, and both together run past the budget by a margin.
    expect(page, `k=${k}`).toBeLessThan(BUDGET * 1000);
    // Page and COUNT together then take at least 1.2 times the budget (each reads every row).
    if (testDialect() === 'sqlite') expect(page, `k=${k}: no filter calibrated to 60–90% of the budget`).toBeGreaterThanOrEqual(BUDGET * 1000 * 0.6);
    const both = await list(k, true);
    expect(both.status, `k=${k}, page ${page.toFixed(0)} ms, both ${both.ms.toFixed(0)} ms`).toBe(400);
    expect(both.body).toEqual({ status: 400, message: QUERY_TIMEOUT_MESSAGE, data: {} });
    // Without one budget per request this ran the page and a COUNT as long: about 1.5× the budget, and answered 200.
    expect(both.ms).toBeLessThan(BUDGET * 1000 * 2);
    // The server answers at once afterwards: nothing of the request is left running.
    expect((await s.request('GET', '/api/health')).status).toBe(200);
  }, 120_000);
});

describe('ordinary requests under the same budget', () => {
  it('lists with totals, a cursor, an expand, and aggregates', async () => {
    const plain = await s.request('GET', `/api/collections/c/records?perPage=100&filter=${encodeURIComponent('p.t = "p3"')}&expand=p`);
    expect(plain.status).toBe(200);
    expect(plain.body.totalItems).toBe(COMMENTS_PER_POST);
    expect(plain.body.items[0].expand.p.t).toBe('p3');
    const cursor = await s.request('GET', '/api/collections/c/records?perPage=500&cursor=');
    expect(cursor.status).toBe(200);
    expect(cursor.body.items).toHaveLength(500);
    const agg = await s.request('GET', '/api/collections/c/records/aggregate?groupBy=p.t&sort=-count');
    expect(agg.status).toBe(200);
    expect(agg.body.items).toHaveLength(POSTS);
    expect(agg.body.items[0].count).toBe(COMMENTS_PER_POST);
  });
});

describe('a batch', () => {
  /** Six hops through posts → comments: well over 30 s on this data without a budget (query-timeout.test.ts). */
  const RUNAWAY = 'c_via_p.p.c_via_p.p.c_via_p.p.t != "zz"';

  it('is one operation whose statements end by its own timeout, though each may run longer', async () => {
    // Each statement may run 10 s; the batch's timeout is 1 s.
    const b = await startTestServer({ queryTimeout: 10 });
    try {
      const token = await b.adminToken();
      await seed(b, token);
      expect((await b.request('PATCH', '/api/collections/p', { token, body: { updateRule: RUNAWAY } })).status).toBe(200);
      expect((await b.request('PATCH', '/api/collections/c', { token, body: { createRule: '' } })).status).toBe(200);
      expect((await b.request('PATCH', '/api/settings', { token, body: { batch: { enabled: true, maxRequests: 100, timeout: 1 } } })).status).toBe(200);
      const posts = await b.request('GET', '/api/collections/p/records?perPage=2&sort=t');
      const [first, second] = posts.body.items as { id: string }[];
      const started = performance.now();
      // A guest: the updateRule is checked on the second sub-request, and reads for far longer than 1 s.
      const r = await b.request('POST', '/api/batch', {
        body: { requests: [
          { method: 'POST', url: '/api/collections/c/records', body: { t: 'new', p: first!.id } },
          { method: 'PATCH', url: `/api/collections/p/records/${second!.id}`, body: { t: 'changed' } },
        ] },
      });
      const ms = performance.now() - started;
      expect(r.status, r.text).toBe(400);
      expect(r.body.message, r.text).toBe('Batch transaction failed.');
      expect(r.body.data.requests['1'].response).toEqual({ status: 400, message: QUERY_TIMEOUT_MESSAGE, data: {} });
      // Before, the rule's statement ran until the 10 s of one statement.
      expect(ms).toBeLessThan(5_000);
      // Everything rolled back.
      const after = await b.request('GET', `/api/collections/c/records?perPage=1&filter=${encodeURIComponent('t = "new"')}`);
      expect(after.body.totalItems).toBe(0);
      expect((await b.request('GET', `/api/collections/p/records/${second!.id}`)).body.t).toBe('p1');
    } finally {
      await b.close();
    }
  }, 120_000);
});
