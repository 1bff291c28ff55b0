/**
 * Aggregates under the list rule (docs/api.md §3.11): the numbers match a reference
 * computed here from the same rows (so both engines give the same ones), only over what the
 * requester may list, hidden fields and hidden emails stay out of reach, and every bad
 * parameter is a 400 that names it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, signIn, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
let users: string;
let customers: string;
let orders: string;
let ua: string;
let tokenA: string;
let tokenB: string;
/** The orders as created, with the customer's country for the reference. */
const rows: Array<{ category: string; total: number; placed: string; country: string; owner: string; paid: boolean; tags: string[]; memo: string }> = [];

const DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  users = uniqueName('ausers');
  await createCollection(s, {
    name: users, type: 'auth', listRule: '', viewRule: '', fields: [], passwordAuth: { enabled: true, identityFields: ['email'] },
  });
  const uc = (await s.request('GET', `/api/collections/${users}`, { token: admin })).body;
  ua = (await createRecord(s, users, { email: 'a@example.com', password: 'password-123', passwordConfirm: 'password-123', emailVisibility: false })).id;
  const ub = (await createRecord(s, users, { email: 'b@example.com', password: 'password-123', passwordConfirm: 'password-123', emailVisibility: true })).id;
  tokenA = await signIn(s, users, 'a@example.com', 'password-123');
  tokenB = await signIn(s, users, 'b@example.com', 'password-123');
  customers = uniqueName('acust');
  // Customers in FR are not listable by others: their country must not show through a group.
  await createCollection(s, { name: customers, listRule: "country != 'FR'", viewRule: '', fields: [{ name: 'country', type: 'text' }] });
  const cc = (await s.request('GET', `/api/collections/${customers}`, { token: admin })).body;
  const countries = ['DE', 'FR', 'US', ''];
  const customerIds: string[] = [];
  for (const country of countries) customerIds.push((await createRecord(s, customers, { country })).id);
  orders = uniqueName('aorders');
  await createCollection(s, {
    name: orders, listRule: 'owner = @request.auth.id || paid = true', viewRule: '',
    fields: [
      { name: 'category', type: 'text' },
      { name: 'total', type: 'number' },
      { name: 'cost', type: 'number', hidden: true },
      { name: 'paid', type: 'bool' },
      { name: 'placed', type: 'date' },
      { name: 'meta', type: 'json' },
      { name: 'tags', type: 'select', values: ['a', 'b'], maxSelect: 2 },
      // Readable by the owner only, and by superusers only (docs/field-rules.md).
      { name: 'memo', type: 'text', readRule: 'owner = @request.auth.id' },
      { name: 'vault', type: 'text', readRule: null },
      { name: 'customer', type: 'relation', collectionId: cc.id, maxSelect: 1 },
      { name: 'owner', type: 'relation', collectionId: uc.id, maxSelect: 1 },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  });
  const sample = fc.sample(fc.tuple(
    fc.constantFrom('books', 'games', 'tools'), fc.integer({ min: -500, max: 5000 }), fc.nat(3), fc.nat(5), fc.nat(2), fc.boolean(), fc.nat(27),
  ), { numRuns: 60, seed: 5 });
  for (const [category, cents, c, month, o, paid, day] of sample) {
    // Some totals are 0: a number's empty value for count(total).
    const total = day % 6 === 0 ? 0 : cents / 100;
    const placed = month === 0 ? '' : `2024-0${month}-${String(day + 1).padStart(2, '0')} 12:00:00.000Z`;
    const owner = o === 0 ? ua : o === 1 ? ub : '';
    const tags = [[], ['a'], ['a', 'b']][day % 3]!;
    const memo = day % 2 === 0 ? category : '';
    await createRecord(s, orders, { category, total, cost: cents % 7, paid, placed, customer: customerIds[c], owner, tags, memo, vault: 'v' });
    rows.push({ category, total, placed, country: countries[c]!, owner, paid, tags, memo });
  }
});
afterAll(async () => { await s?.close(); });

/** GET the aggregate endpoint; `token` null asks as a guest. */
async function aggregate(query: string, token: string | null = admin) {
  return s.request('GET', `/api/collections/${orders}/records/aggregate?${query}`, { token: token ?? undefined });
}

type Row = (typeof rows)[number];

/** How many rows have a non-empty value, and how many distinct non-empty values (docs/api.md §3.11). */
const nonEmpty = (g: Row[], value: (r: Row) => unknown, empty: unknown) => g.filter((r) => value(r) !== empty).length;
const distinct = (g: Row[], value: (r: Row) => unknown, empty: unknown) => new Set(g.map(value).filter((v) => v !== empty)).size;

/** Every aggregate the tests ask for, per key, as the endpoint should answer. */
function reference(list: typeof rows, key: (r: Row) => unknown) {
  const groups = new Map<unknown, typeof rows>();
  for (const r of list) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return new Map([...groups].map(([k, g]) => {
    const sum = g.reduce((a, r) => a + r.total, 0);
    const dates = g.map((r) => r.placed).filter((d) => d !== '').sort();
    return [k, {
      count: g.length, sum_total: sum, avg_total: sum / g.length, min_placed: dates[0] ?? null, max_placed: dates.at(-1) ?? null,
      count_placed: nonEmpty(g, (r) => r.placed, ''), count_total: nonEmpty(g, (r) => r.total, 0), count_paid: nonEmpty(g, (r) => r.paid, false),
      count_owner: nonEmpty(g, (r) => r.owner, ''), count_tags: nonEmpty(g, (r) => r.tags.length, 0), 'count_customer.country': nonEmpty(g, (r) => r.country, ''),
      count_distinct_category: distinct(g, (r) => r.category, ''), count_distinct_placed: distinct(g, (r) => r.placed, ''),
      'count_distinct_customer.country': distinct(g, (r) => r.country, ''), count_distinct_total: distinct(g, (r) => r.total, 0),
    } as Record<string, unknown>];
  }));
}

/** Checks every aggregate key of each item (those the reference knows) against the reference of its group. */
function expectMatches(items: any[], expected: ReturnType<typeof reference>, key: (item: any) => unknown) {
  expect(items).toHaveLength(expected.size);
  for (const item of items) {
    const e = expected.get(key(item));
    expect(e, JSON.stringify(item)).toBeDefined();
    for (const [k, v] of Object.entries(item)) {
      if (!(k in e!)) continue;
      if (k === 'sum_total' || k === 'avg_total') expect(v, k).toBeCloseTo(e![k] as number, 6);
      else expect(v, `${k} of ${JSON.stringify(item)}`).toBe(e![k]);
    }
  }
}

const ALL = 'aggregate=count(),sum(total),avg(total),min(placed),max(placed)';
/** count(field) of each kind of emptiness, and count_distinct. */
const COUNTS = 'aggregate=count(),count(placed),count(total),count(paid),count(owner),count(tags),count(customer.country),count_distinct(category),count_distinct(placed),count_distinct(customer.country)';

describe('aggregate numbers', () => {
  it('groups by a field and a relation path, in the shape of the issue', async () => {
    const r = await aggregate(`groupBy=category,customer.country&${ALL}&sort=-sum_total`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ page: 1, perPage: 30 });
    expect(Object.keys(r.body)).toEqual(['page', 'perPage', 'items']);
    expect(Object.keys(r.body.items[0])).toEqual(['category', 'customer.country', 'count', 'sum_total', 'avg_total', 'min_placed', 'max_placed']);
    expectMatches(r.body.items, reference(rows, (x) => `${x.category}/${x.country}`), (i) => `${i.category}/${i['customer.country']}`);
    const sums = r.body.items.map((i: any) => i.sum_total);
    expect(sums).toEqual([...sums].sort((a, b) => b - a));
  });

  it('groups by strftime of a date and answers dates in the API format', async () => {
    const r = await aggregate(`groupBy=${encodeURIComponent("strftime('%Y-%m', placed)")}&${ALL}&sort=${encodeURIComponent("-strftime('%Y-%m', placed)")}`);
    expect(r.status, r.text).toBe(200);
    const key = "strftime('%Y-%m', placed)";
    expectMatches(r.body.items, reference(rows, (x) => (x.placed === '' ? null : x.placed.slice(0, 7))), (i) => i[key]);
    expect(r.body.items.at(-1)[key]).toBeNull();
    for (const i of r.body.items) if (i.min_placed !== null) expect(i.min_placed).toMatch(DATE);
    const created = await aggregate('aggregate=min(created),max(created),count()');
    expect(created.body.items[0].min_created).toMatch(DATE);
    expect(created.body.items[0].count).toBe(rows.length);
  });

  it('answers the SDK through pb.send', async () => {
    const pb = await s.admin();
    const r = await pb.send(`/api/collections/${orders}/records/aggregate`, { query: { groupBy: 'category', aggregate: 'count()', sort: '-count' } });
    expect(r.items.reduce((n: number, i: any) => n + i.count, 0)).toBe(rows.length);
    await expect(pb.send(`/api/collections/${orders}/records/aggregate`, { query: { aggregate: 'sum(category)' } })).rejects.toMatchObject({ status: 400 });
  });

  it('types bool groups and counts without groupBy as one group', async () => {
    const r = await aggregate('groupBy=paid&sort=paid');
    expect(r.status, r.text).toBe(200);
    expect(r.body.items).toEqual([
      { paid: false, count: rows.filter((x) => !x.paid).length },
      { paid: true, count: rows.filter((x) => x.paid).length },
    ]);
    const none = await aggregate(`filter=${encodeURIComponent("category = 'nothing'")}&aggregate=count(),sum(total)`);
    expect(none.body.items).toEqual([{ count: 0, sum_total: null }]);
  });

  it('matches the reference for random groupings, filters and pages', async () => {
    const keys = ['category', 'customer.country', 'paid', "strftime('%m', placed)"];
    const ref: Record<string, (x: (typeof rows)[number]) => unknown> = {
      category: (x) => x.category, 'customer.country': (x) => x.country, paid: (x) => x.paid,
      "strftime('%m', placed)": (x) => (x.placed === '' ? null : x.placed.slice(5, 7)),
    };
    await fc.assert(fc.asyncProperty(
      fc.subarray(keys, { minLength: 1 }), fc.constantFrom('', 'total > 10', "category != 'books'"), fc.integer({ min: 1, max: 7 }), fc.constantFrom(ALL, COUNTS),
      async (groupBy, filter, perPage, aggregates) => {
        const q = `groupBy=${encodeURIComponent(groupBy.join(','))}&${aggregates}&filter=${encodeURIComponent(filter)}&perPage=${perPage}`;
        const items: any[] = [];
        for (let page = 1; page < 50; page++) {
          const r = await aggregate(`${q}&page=${page}`);
          expect(r.status, r.text).toBe(200);
          items.push(...r.body.items);
          if (r.body.items.length < perPage) break;
        }
        const kept = rows.filter((x) => filter === '' || (filter.startsWith('total') ? x.total > 10 : x.category !== 'books'));
        const join = (vals: unknown[]) => JSON.stringify(vals);
        expectMatches(items, reference(kept, (x) => join(groupBy.map((k) => ref[k]!(x)))), (i) => join(groupBy.map((k) => i[k])));
      },
    ), { numRuns: 20, seed: 3 });
  });

  it('counts the rows whose field is not empty, and the distinct non-empty values', async () => {
    const r = await aggregate(`groupBy=category&${COUNTS}`);
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.body.items[0])).toEqual(['category', 'count', 'count_placed', 'count_total', 'count_paid', 'count_owner', 'count_tags', 'count_customer.country', 'count_distinct_category', 'count_distinct_placed', 'count_distinct_customer.country']);
    expectMatches(r.body.items, reference(rows, (x) => x.category), (i) => i.category);
    // Each kind of emptiness occurs in the data, so each count differs from count().
    const all = (await aggregate(COUNTS)).body.items[0];
    for (const k of ['count_placed', 'count_total', 'count_paid', 'count_owner', 'count_tags', 'count_customer.country']) expect(all[k], k).toBeLessThan(rows.length);
    expectMatches([all], reference(rows, () => 'all'), () => 'all');
    const numbers = await aggregate('aggregate=count_distinct(total),count_distinct(paid)&sort=-count_distinct_total');
    expect(numbers.status, numbers.text).toBe(200);
    expect(numbers.body.items).toEqual([{ count_distinct_total: distinct(rows, (x) => x.total, 0), count_distinct_paid: 1 }]);
  });
});

describe('aggregates under rules', () => {
  it('counts exactly the rows the list shows the requester', async () => {
    for (const token of [null, tokenA, tokenB, admin]) {
      const list = await s.request('GET', `/api/collections/${orders}/records?perPage=1000`, { token: token ?? undefined });
      const listed = list.body.items as Array<{ total: number }>;
      const r = await aggregate('aggregate=count(),sum(total)', token);
      expect(r.status, r.text).toBe(200);
      expect(r.body.items[0].count).toBe(listed.length);
      expect(r.body.items[0].sum_total ?? 0).toBeCloseTo(listed.reduce((t, x) => t + x.total, 0), 6);
    }
    const a = await aggregate('aggregate=count()', tokenA);
    expect(a.body.items[0].count).toBeLessThan(rows.length);
  });

  it('does not show a joined row the requester may not list', async () => {
    const r = await aggregate('groupBy=customer.country', tokenA);
    expect(r.status, r.text).toBe(200);
    expect(r.body.items.map((i: any) => i['customer.country'])).not.toContain('FR');
    const su = await aggregate('groupBy=customer.country');
    expect(su.body.items.map((i: any) => i['customer.country'])).toContain('FR');
  });

  it('refuses hidden fields to non-superusers and hides emails their owners keep hidden', async () => {
    for (const q of ['aggregate=sum(cost)', 'groupBy=cost', 'aggregate=max(owner.password)', 'groupBy=owner.tokenKey']) {
      const r = await aggregate(q, tokenB);
      expect(r.status, q).toBe(400);
      expect(Object.keys(r.body.data)).toEqual([q.split('=')[0]]);
    }
    expect((await aggregate('aggregate=sum(cost)')).status).toBe(200);
    const filtered = await aggregate(`filter=${encodeURIComponent('cost > 1')}`, tokenB);
    expect(filtered.status).toBe(400);
    expect(Object.keys(filtered.body.data)).toEqual(['filter']);
    const emails = await aggregate('groupBy=owner.email&aggregate=count(),min(owner.email)', tokenB);
    expect(emails.status, emails.text).toBe(200);
    const shown = emails.body.items.map((i: any) => i['owner.email']);
    expect(shown).not.toContain('a@example.com');
    expect(shown).toContain('b@example.com');
    for (const i of emails.body.items) expect(i['min_owner.email']).not.toBe('a@example.com');
    const su = await aggregate('groupBy=owner.email');
    expect(su.body.items.map((i: any) => i['owner.email'])).toContain('a@example.com');
  });

  it('counts under the list rule and the field readRules, and refuses what a filter refuses', async () => {
    for (const token of [tokenA, tokenB]) {
      // The list is the truth: it leaves memo out where its readRule denies.
      const list = await s.request('GET', `/api/collections/${orders}/records?perPage=1000`, { token });
      const items = list.body.items as Array<{ owner: string; memo?: string }>;
      const r = await aggregate('aggregate=count(),count(owner),count(memo),count_distinct(memo)', token);
      expect(r.status, r.text).toBe(200);
      const memos = items.filter((x) => x.memo !== undefined && x.memo !== '');
      expect(r.body.items[0]).toEqual({
        count: items.length,
        count_owner: items.filter((x) => x.owner !== '').length,
        count_memo: memos.length,
        count_distinct_memo: new Set(memos.map((x) => x.memo)).size,
      });
    }
    const a = await aggregate('aggregate=count(memo)', tokenA);
    expect(a.body.items[0].count_memo).toBe(rows.filter((x) => x.owner === ua && x.memo !== '').length);
    expect(a.body.items[0].count_memo).toBeLessThan((await aggregate('aggregate=count(memo)')).body.items[0].count_memo);
    for (const q of ['aggregate=count(cost)', 'aggregate=count_distinct(cost)', 'aggregate=count(vault)', 'aggregate=count_distinct(owner.password)', 'aggregate=count(owner.tokenKey)']) {
      const r = await aggregate(q, tokenB);
      expect(r.status, q).toBe(400);
      expect(Object.keys(r.body.data), q).toEqual(['aggregate']);
    }
    const su = await aggregate('aggregate=count(cost),count(vault)');
    expect(su.status, su.text).toBe(200);
    expect(su.body.items[0].count_vault).toBe(rows.length);
    // Hidden emails are empty to those who may not see them.
    const emails = await aggregate('aggregate=count(owner.email),count_distinct(owner.email)', tokenB);
    expect(emails.status, emails.text).toBe(200);
    const all = (await aggregate('aggregate=count(owner.email),count_distinct(owner.email)')).body.items[0];
    expect(all['count_distinct_owner.email']).toBe(2);
    expect(all['count_owner.email']).toBe(rows.filter((x) => x.owner !== '').length);
    expect(emails.body.items[0]['count_distinct_owner.email']).toBe(1);
  });

  it('answers 403 for a superuser-only list rule, as the list does', async () => {
    const locked = uniqueName('alocked');
    await createCollection(s, { name: locked, listRule: null, fields: [{ name: 'n', type: 'number' }] });
    const r = await s.request('GET', `/api/collections/${locked}/records/aggregate`, { token: tokenA });
    expect(r.status).toBe(403);
    expect((await s.request('GET', '/api/collections/nope_nothing/records/aggregate')).status).toBe(404);
  });
});

describe('aggregate bad input', () => {
  it('answers a 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['groupBy=nope', 'groupBy'],
      ['groupBy=customer.nope', 'groupBy'],
      ['groupBy=meta', 'groupBy'],
      ['groupBy=tags', 'groupBy'],
      ['groupBy=category,category', 'groupBy'],
      ['groupBy=a,b,c,d,e,f', 'groupBy'],
      ['groupBy=category,,paid', 'groupBy'],
      [`groupBy=${encodeURIComponent('lower(category)')}`, 'groupBy'],
      [`groupBy=${encodeURIComponent('@request.auth.id')}`, 'groupBy'],
      [`groupBy=${encodeURIComponent("strftime('%Y', placed")}`, 'groupBy'],
      // strftime reads a date field: the engines read anything else differently.
      [`groupBy=${encodeURIComponent("strftime('%Y', strftime('%Y', placed))")}`, 'groupBy'],
      [`groupBy=${encodeURIComponent("strftime('%Y', category)")}`, 'groupBy'],
      [`groupBy=${encodeURIComponent("strftime('%Y', total)")}`, 'groupBy'],
      [`groupBy=${encodeURIComponent("strftime('%Y', '2024-01-01')")}`, 'groupBy'],
      [`groupBy=${encodeURIComponent("strftime('%Y')")}`, 'groupBy'],
      [`groupBy=${'x'.repeat(1001)}`, 'groupBy'],
      ['aggregate=sum(nope)', 'aggregate'],
      ['aggregate=sum(category)', 'aggregate'],
      ['aggregate=avg(placed)', 'aggregate'],
      ['aggregate=min(meta)', 'aggregate'],
      ['aggregate=count(meta)', 'aggregate'],
      ['aggregate=count(nope)', 'aggregate'],
      ['aggregate=count_distinct()', 'aggregate'],
      ['aggregate=count_distinct(tags)', 'aggregate'],
      ['aggregate=count_distinct(meta)', 'aggregate'],
      ['aggregate=count(total),count(total)', 'aggregate'],
      ['aggregate=median(total)', 'aggregate'],
      ['aggregate=sum()', 'aggregate'],
      ['aggregate=sum', 'aggregate'],
      ['aggregate=count(),count()', 'aggregate'],
      [`aggregate=${Array.from({ length: 11 }, (_, i) => (i === 0 ? 'count()' : `max(total${i})`)).join(',')}`, 'aggregate'],
      ['sort=nope', 'sort'],
      ['groupBy=category&sort=-total', 'sort'],
      ['sort=-', 'sort'],
      ['page=abc', 'page'],
      ['page=0', 'page'],
      ['page=1000000000', 'page'],
      ['perPage=-1', 'perPage'],
      ['perPage=1.5', 'perPage'],
      [`filter=${encodeURIComponent('nope = 1')}`, 'filter'],
      [`filter=${'x'.repeat(3501)}`, 'filter'],
    ];
    for (const [q, param] of cases) {
      const r = await aggregate(q);
      expect(r.status, `${q}: ${r.text}`).toBe(400);
      if (param !== '') expect(Object.keys(r.body.data), q).toEqual([param]);
    }
  });

  it('caps perPage and pages through groups', async () => {
    const r = await aggregate('groupBy=category&perPage=5000');
    expect(r.body.perPage).toBe(1000);
    const long = await aggregate('groupBy=category&perPage=10000000000');
    expect(long.status, long.text).toBe(200);
    expect(long.body.perPage).toBe(1000);
    const p2 = await aggregate('groupBy=category&perPage=1&page=2');
    expect(p2.body).toMatchObject({ page: 2, perPage: 1, items: [{ category: 'games' }] });
    const past = await aggregate('groupBy=category&perPage=1&page=9');
    expect(past.body.items).toEqual([]);
  });
});
