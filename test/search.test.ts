/**
 * Full-text search (docs/search.md) at the HTTP boundary: the `searchable` option, the
 * `search()` filter function, `sort=-@rank`, rules, and the 400s (the index kept in step:
 * search-index-upkeep.test.ts). Runs on SQLite, and on PostgreSQL with
 * PLINTH_TEST_DIALECT=postgres; both must give the results in test/data/search-golden.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../src/app/services.js';
import type { TierReads } from '../src/db/dialect/postgres/postgres-full-text.js';
import { uniqueName } from './helpers/collections.js';
import { testDialect } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

interface Product {
  name: string;
  description: string;
}

const CORPUS: Product[] = JSON.parse(readFileSync(join(import.meta.dirname, 'data/search-products.json'), 'utf8'));
const GOLDEN_FILE = join(import.meta.dirname, 'data/search-golden.json');

/** The queries whose results both engines must agree on (match set and relevance top 10). */
const GOLDEN_QUERIES = [
  "search('red shoes')",
  "search('running')",
  "search('run')",
  "search('boot')",
  "search('hike')",
  "search('leather -boots')",
  "search('\"made of wool\"')",
  "search('\"for the office\" black')",
  "search(name, 'northwind')",
  "search(description, 'recycled breathable')",
  "search('warm coat')",
  "search('the and of')",
  "search('jacket') && n < 100",
  "search('sneak') || search('sandal')",
  "search('cotton') && search('t-shirt') = false",
];

let s: TestServer;
let admin: PocketBase;
let products: string;

function sdkStatus(err: unknown): number {
  return err instanceof ClientResponseError ? err.status : -1;
}

async function names(filter: string, sort = '', token?: string): Promise<number[]> {
  const qs = new URLSearchParams({ filter, perPage: '500', ...(sort ? { sort } : {}) });
  const r = await s.request('GET', `/api/collections/${products}/records?${qs}`, { token });
  expect(r.status, `${filter} ${sort}: ${r.text}`).toBe(200);
  return r.body.items.map((i: { n: number }) => i.n);
}

/** The `n` of every item of a cursor walk (docs/api.md §3.10), page after page until nextCursor is null. */
async function cursorWalk(collection: string, filter: string, sort: string, perPage: number, token?: string, between?: () => Promise<void>): Promise<number[]> {
  const got: number[] = [];
  let cursor = '';
  for (let page = 1; page < 200; page++) {
    const qs = new URLSearchParams({ filter, sort, perPage: String(perPage), cursor });
    const r = await s.request('GET', `/api/collections/${collection}/records?${qs}`, { token });
    expect(r.status, `${filter} ${sort}: ${r.text}`).toBe(200);
    expect(r.body.page).toBe(page);
    got.push(...r.body.items.map((i: { n: number }) => i.n));
    if (r.body.nextCursor === null) return got;
    expect(r.body.items.length).toBe(perPage);
    cursor = r.body.nextCursor;
    await between?.();
  }
  throw new Error('too many pages');
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
  products = uniqueName('products');
  await admin.collections.create({
    name: products, type: 'base', listRule: '', viewRule: '',
    fields: [
      { name: 'n', type: 'number' },
      { name: 'name', type: 'text', searchable: true },
      { name: 'description', type: 'editor', searchable: true },
      { name: 'sku', type: 'text' },
    ],
  } as any);
  // One at a time: insertion order (the tie-break of every sort) is then the corpus order.
  for (const [n, p] of CORPUS.entries()) await admin.collection(products).create({ n, ...p, sku: `sku-${n}` });
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('the searchable option', () => {
  it('round-trips in the collection JSON, present only where set', async () => {
    const c = await admin.collections.getOne(products);
    const byName = Object.fromEntries(c.fields.map((f: any) => [f.name, f]));
    expect(byName.name.searchable).toBe(true);
    expect(byName.description.searchable).toBe(true);
    expect('searchable' in byName.sku).toBe(false);
    expect('searchable' in byName.n).toBe(false);
  });

  it('refuses a non-boolean value, a hidden field, a field with a readRule and the primary key with a 400 on the option', async () => {
    for (const field of [
      { name: 'a', type: 'text', searchable: 'yes' },
      { name: 'a', type: 'text', searchable: true, hidden: true },
      // A search over a field the requester may not read would let them probe its words.
      { name: 'a', type: 'text', searchable: true, readRule: null },
      { name: 'a', type: 'text', searchable: true, readRule: '@request.auth.id != ""' },
    ]) {
      const r = await s.request('POST', '/api/collections', { token: await s.adminToken(), body: { name: uniqueName('bad'), type: 'base', fields: [field] } });
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body.data)).toContain('searchable');
    }
  });
});

describe('search() results', () => {
  it('page by page with sort=@rank alone (read from the index) as in a sort that ranks every match', async () => {
    // `-@rank,-@rowid` orders as `-@rank` (insertion order breaks its ties) but ranks every
    // matching row; `-@rank` alone is read tier by tier from the index (docs/search.md §6).
    const all = async (filter: string, sort: string, perPage: number, token?: string) => {
      const got: number[] = [];
      for (let page = 1; page < 100; page++) {
        const qs = new URLSearchParams({ filter, sort, perPage: String(perPage), page: String(page) });
        const r = await s.request('GET', `/api/collections/${products}/records?${qs}`, { token });
        expect(r.status, `${filter} ${sort}: ${r.text}`).toBe(200);
        got.push(...r.body.items.map((i: { n: number }) => i.n));
        if (page === 1) expect(r.body.totalItems, filter).toBeGreaterThan(0);
        if (r.body.items.length < perPage) return got;
      }
      throw new Error('too many pages');
    };
    // Some searches leave fields without a whole match (`hike`: no name; `northwind`: no
    // description; `northwind recycled`: neither), whose tiers are left out (docs/search.md §6).
    // A cursor walk of `@rank` alone continues tier by tier from the index too (docs/api.md §3.10).
    // PostgreSQL ranks every match of a search the planner bounds at few rows (docs/search.md §6.3),
    // every search of this small table: also read them tier by tier, as a large table would.
    const fullText = (s.node as unknown as { services: Services }).services.dialect.fullText as unknown as { reads?: TierReads };
    const defaults = fullText.reads;
    const modes = defaults ? [defaults, { ...defaults, rankEveryRows: -1 }] : [undefined];
    for (const mode of modes) for (const filter of [
      "search('running')", "search('hike')", "n >= 20 && search('hike') && n < 190", "search('leather -boots') && n < 150", "search(name, 'boot')", "search('warm coat')",
      "search('northwind')", "search('northwind recycled')", "search('recycled -hike') && n > 10", "search('northwind made -recycled')",
    ]) {
      if (mode) fullText.reads = mode;
      for (const perPage of [3, 7]) {
        const ranked = await all(filter, '-@rank', perPage);
        expect(ranked, `${filter} -@rank`).toEqual(await all(filter, '-@rank,-@rowid', perPage));
        expect(await cursorWalk(products, filter, '-@rank', perPage), `${filter} -@rank by cursor`).toEqual(ranked);
        const rising = await all(filter, '@rank', perPage);
        expect(rising, `${filter} @rank`).toEqual(await all(filter, '@rank,@rowid', perPage));
        expect(await cursorWalk(products, filter, '@rank', perPage), `${filter} @rank by cursor`).toEqual(rising);
      }
    }
    if (defaults) fullText.reads = defaults;
    // A search the index cannot drive (under `||`): its cursor walk ranks every match, in the same order.
    const either = "search('sneak') || search('sandal')";
    expect(await cursorWalk(products, either, '-@rank', 4)).toEqual(await all(either, '-@rank', 4));
  }, 90_000);

  it('match the same rows and the same relevance top 10 on both engines', async () => {
    const results: Record<string, { all: number[]; top: number[] }> = {};
    for (const filter of GOLDEN_QUERIES) {
      const all = (await names(filter, 'n')).sort((a, b) => a - b);
      const top = (await names(filter, '-@rank')).slice(0, 10);
      results[filter] = { all, top };
    }
    // PLINTH_SEARCH_GOLDEN=write records what SQLite answers; both engines are then held to it.
    if (process.env.PLINTH_SEARCH_GOLDEN === 'write' && testDialect() === 'sqlite') writeFileSync(GOLDEN_FILE, `${JSON.stringify(results, null, 1)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8'));
    for (const filter of GOLDEN_QUERIES) {
      expect(results[filter]!.all, filter).toEqual(golden[filter].all);
      expect(results[filter]!.top, `top 10 of ${filter}`).toEqual(golden[filter].top);
    }
  });

  it('matches words by prefix and stem, phrases exactly, and excludes -words', async () => {
    const has = (n: number, word: string) => `${CORPUS[n]!.name} ${CORPUS[n]!.description}`.toLowerCase().includes(word);
    const run = await names("search('running')");
    expect(run.length).toBeGreaterThan(0);
    // "running" and "run" share the stem "run": the same rows.
    expect(await names("search('run')")).toEqual(run);
    const prefix = await names("search('sneak')");
    expect(prefix.length).toBeGreaterThan(0);
    for (const n of prefix) expect(has(n, 'sneak')).toBe(true);
    const leather = await names("search('leather -boots')");
    expect(leather.length).toBeGreaterThan(0);
    for (const n of leather) {
      expect(has(n, 'leather')).toBe(true);
      expect(has(n, 'boots')).toBe(false);
    }
    const phrase = await names('search(\'"made of wool"\')');
    for (const n of phrase) expect(CORPUS[n]!.description).toContain('made of wool');
    const wool = await names("search('wool made')");
    expect(wool.length).toBeGreaterThanOrEqual(phrase.length);
  });

  it('searches one field with search(field, text), combined with other conditions', async () => {
    const brand = await names("search(name, 'northwind')");
    expect(brand.length).toBeGreaterThan(0);
    for (const n of brand) expect(CORPUS[n]!.name).toContain('Northwind');
    expect(await names("search(description, 'northwind')")).toEqual([]);
    const both = await names("search(name, 'northwind') && n >= 100");
    expect(both).toEqual(brand.filter((n) => n >= 100));
  });

  it('works through the SDK with sort=-@rank', async () => {
    const page = await admin.collection(products).getList(1, 5, { filter: admin.filter('search({:q})', { q: 'red' }), sort: '-@rank' });
    expect(page.items.length).toBe(5);
    expect(page.totalItems).toBeGreaterThan(5);
    expect(`${page.items[0]!.name} ${page.items[0]!.description}`.toLowerCase()).toContain('red');
  });
});

describe('cursor pages sorted by @rank', () => {
  // Rows only the rule lets a guest see (n not a multiple of 3), some matching, some not.
  let posts: string;
  let token: string;
  const offsetPages = async (filter: string, sort: string, perPage: number, as?: string) => {
    const got: number[] = [];
    for (let page = 1; ; page++) {
      const qs = new URLSearchParams({ filter, sort, perPage: String(perPage), page: String(page), skipTotal: '1' });
      const r = await s.request('GET', `/api/collections/${posts}/records?${qs}`, { token: as });
      expect(r.status, r.text).toBe(200);
      got.push(...r.body.items.map((i: { n: number }) => i.n));
      if (r.body.items.length < perPage) return got;
    }
  };
  beforeAll(async () => {
    posts = uniqueName('rposts');
    await admin.collections.create({
      name: posts, type: 'base', listRule: 'public = true', viewRule: '',
      fields: [
        { name: 'n', type: 'number' }, { name: 'public', type: 'bool' },
        { name: 'name', type: 'text', searchable: true }, { name: 'description', type: 'editor', searchable: true },
      ],
    } as any);
    for (const [n, p] of CORPUS.slice(0, 120).entries()) await admin.collection(posts).create({ n, public: n % 3 !== 0, ...p });
    token = admin.authStore.token;
  }, 60_000);

  it('walk the rows a rule lets a guest list, in the order of the offset pages', async () => {
    for (const filter of ["search('made')", "search('northwind')", "search('leather -boots') && n < 100", "search('warm coat') && public = true"]) {
      for (const sort of ['-@rank', '@rank']) {
        const guest = await cursorWalk(posts, filter, sort, 4);
        expect(guest.length, filter).toBeGreaterThan(0);
        expect(guest.every((n) => n % 3 !== 0), filter).toBe(true);
        expect(guest, `${filter} ${sort}`).toEqual(await offsetPages(filter, sort, 4));
        expect(await cursorWalk(posts, filter, sort, 5, token), `${filter} ${sort} superuser`).toEqual(await offsetPages(filter, sort, 5, token));
      }
    }
  });

  it('return every row that existed at the start exactly once while rows are inserted', async () => {
    const filter = "search('made')";
    let next = 1000;
    for (const sort of ['-@rank', '@rank']) {
      const before = await offsetPages(filter, sort, 500);
      expect(before.length).toBeGreaterThan(20);
      // After each page: a row of the highest tier, one of the lowest, one the search misses.
      const insert = async () => {
        for (const body of [
          { name: 'made in town', description: 'made here' }, { name: 'plain', description: 'made of wool' }, { name: 'other', description: 'none' },
        ]) await admin.collection(posts).create({ n: next++, public: true, ...body });
      };
      const seen = await cursorWalk(posts, filter, sort, 6, undefined, insert);
      expect(new Set(seen).size, sort).toBe(seen.length);
      for (const n of before) expect(seen, sort).toContain(n);
      expect(seen.filter((n) => before.includes(n)), sort).toEqual(before);
    }
  });

  it('refuse a tampered cursor or one from another sort, filter or requester with a 400 naming cursor', async () => {
    const path = `/api/collections/${posts}/records`;
    const first = await s.request('GET', `${path}?${new URLSearchParams({ filter: "search('made')", sort: '-@rank', perPage: '3', cursor: '' })}`);
    const cursor: string = first.body.nextCursor;
    expect(typeof cursor).toBe('string');
    const [body, sig] = cursor.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, k: [payload.k[0] + 1, payload.k[1]] })).toString('base64url');
    const asks: Array<[Record<string, string>, string | undefined]> = [
      [{ filter: "search('made')", sort: '-@rank', cursor: `${forged}.${sig}` }, undefined],
      [{ filter: "search('made')", sort: '-@rank', cursor: `${body}.${sig.slice(0, -2)}AA` }, undefined],
      [{ filter: "search('made')", sort: '-@rank', cursor: `${body.slice(0, -1)}.${sig}` }, undefined],
      [{ filter: "search('made')", sort: '@rank', cursor }, undefined],
      [{ filter: "search('made')", sort: '-@rank,-@rowid', cursor }, undefined],
      [{ filter: "search('made') && n > 0", sort: '-@rank', cursor }, undefined],
      [{ filter: "search('made')", sort: '-@rank', cursor }, token],
    ];
    for (const [q, as] of asks) {
      const r = await s.request('GET', `${path}?${new URLSearchParams({ perPage: '3', ...q })}`, { token: as });
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.body.data.cursor.code).toBe('validation_invalid_cursor');
    }
    const again = await s.request('GET', `${path}?${new URLSearchParams({ filter: "search('made')", sort: '-@rank', perPage: '3', cursor })}`);
    expect(again.status).toBe(200);
  });
});

describe('bad search input is a 400', () => {
  const cases: Array<[string, string, string]> = [
    ['search()', '', 'no arguments'],
    ["search(sku, 'x')", '', 'a field that is not searchable'],
    ["search(nope, 'x')", '', 'an unknown field'],
    ['search(5)', '', 'a number'],
    ["search(name, 'x', 'y')", '', 'three arguments'],
    ["search('x') > 1", '', 'a comparison other than = / !='],
    ['n > 1', '-@rank', '@rank without a search'],
    [`search('${Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ')}')`, '', 'too many words'],
    [`search('${'x'.repeat(600)}')`, '', 'a text over the limit'],
  ];
  it.each(cases)('%s (sort %s): %s', async (filter, sort) => {
    const qs = new URLSearchParams({ filter, ...(sort ? { sort } : {}) });
    const r = await s.request('GET', `/api/collections/${products}/records?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.data[sort ? 'sort' : 'filter']).toMatchObject({ code: 'validation_invalid_search' });
  });

  it('search() on a collection with no searchable field', async () => {
    const plain = uniqueName('plain');
    await admin.collections.create({ name: plain, type: 'base', listRule: '', fields: [{ name: 'title', type: 'text' }] } as any);
    const err = await admin.collection(plain).getList(1, 10, { filter: "search('x')" }).catch((e: unknown) => e);
    expect(sdkStatus(err)).toBe(400);
  });

  it('search() on a view, whose copy of a searchable field does not say it is searchable', async () => {
    const view = uniqueName('pview');
    const created = await admin.collections.create({ name: view, type: 'view', listRule: '', viewQuery: `SELECT id, name FROM ${products}` } as any);
    expect(created.fields.find((f: { name: string }) => f.name === 'name')).not.toHaveProperty('searchable');
    const err = await admin.collection(view).getList(1, 10, { filter: "search('x')" }).catch((e: unknown) => e);
    expect(sdkStatus(err)).toBe(400);
  });

  it('any search text gives a 200, never a 500 or a syntax error (fuzz)', async () => {
    const quote = (t: string) => `'${t.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 60, unit: fc.constantFrom('a', 'b', ' ', '-', '"', "'", '*', ':', '(', ')', '^', '&', '|', '!', '{', '}', 'NEAR', 'OR', 'AND', 'NOT', '\\', 'é', '中', '0', '+', '<', '>', ',', ';', 'grapheme') }), async (text) => {
      const qs = new URLSearchParams({ filter: `search(${quote(text)}) || search(name, ${quote(text)})`, sort: '-@rank' });
      const r = await s.request('GET', `/api/collections/${products}/records?${qs}`);
      expect(r.status, `${text}: ${r.text}`).toBe(200);
    }), { numRuns: 150 });
  });
});

describe('rules', () => {
  it('a search only returns what the list rule lets the requester see, and rules may search', async () => {
    const users = uniqueName('users');
    const u = await admin.collections.create({ name: users, type: 'auth', listRule: '', fields: [] } as any);
    const posts = uniqueName('posts');
    await admin.collections.create({
      name: posts, type: 'base',
      listRule: "public = true || (owner != '' && owner = @request.auth.id)",
      fields: [
        { name: 'k', type: 'text' }, { name: 'body', type: 'text', searchable: true },
        { name: 'public', type: 'bool' }, { name: 'owner', type: 'relation', collectionId: u.id, maxSelect: 1 },
      ],
    } as any);
    const alice = await admin.collection(users).create({ email: 'alice@example.com', password: 'password-123', passwordConfirm: 'password-123' });
    await admin.collection(posts).create({ k: 'open', body: 'secret recipe for soup', public: true });
    await admin.collection(posts).create({ k: 'mine', body: 'secret recipe for bread', owner: alice.id });
    await admin.collection(posts).create({ k: 'other', body: 'secret recipe for cake' });
    const guest = s.client();
    const guestItems = await guest.collection(posts).getFullList({ filter: "search('secret recipe')", sort: '-@rank' });
    expect(guestItems.map((r) => r.k)).toEqual(['open']);
    const pb = s.client();
    await pb.collection(users).authWithPassword('alice@example.com', 'password-123');
    const mine = await pb.collection(posts).getFullList({ filter: "search('recipe')" });
    expect(mine.map((r) => r.k).sort()).toEqual(['mine', 'open']);
    // A rule may search too: only rows about soup are listed.
    const soup = uniqueName('soup');
    await admin.collections.create({ name: soup, type: 'base', listRule: "search('soup')", fields: [{ name: 'k', type: 'text' }, { name: 'body', type: 'text', searchable: true }] } as any);
    await admin.collection(soup).create({ k: 'a', body: 'tomato soup' });
    await admin.collection(soup).create({ k: 'b', body: 'bread' });
    expect((await guest.collection(soup).getFullList()).map((r) => r.k)).toEqual(['a']);
  });
});
