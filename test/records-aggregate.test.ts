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
const rows: Array<{ category: string; total: number; placed: string; country: string; owner: string; paid: boolean }> = [];

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
      { name: 'customer', type: 'relation', collectionId: cc.id, maxSelect: 1 },
      { name: 'owner', type: 'relation', collectionId: uc.id, maxSelect: 1 },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  });
  const sample = fc.sample(fc.tuple(
    fc.constantFrom('books', 'games', 'tools'), fc.integer({ min: -500, max: 5000 }), fc.nat(3), fc.nat(5), fc.nat(2), fc.boolean(), fc.nat(27),
  ), { numRuns: 60, seed: 5 });
  for (const [category, cents, c, month, o, paid, day] of sample) {
    const total = cents / 100;
    const placed = month === 0 ? '' : `2024-0${month}-${String(day + 1).padStart(2, '0')} 12:00:00.000Z`;
    const owner = o === 0 ? ua : o === 1 ? ub : '';
    await createRecord(s, orders, { category, total, cost: cents % 7, paid, placed, customer: customerIds[c], owner });
    rows.push({ category, total, placed, country: countries[c]!, owner, paid });
  }
});
afterAll(async () => { await s?.close(); });

/** GET the aggregate endpoint; `token` null asks as a guest. */
async function aggregate(query: string, token: string | null = admin) {
  return s.request('GET', `/api/collections/${orders}/records/aggregate?${query}`, { token: token ?? undefined });
}

/** count, sum, avg, min and max of `total` and `placed` per key, as the endpoint should answer. */
function reference(list: typeof rows, key: (r: (typeof rows)[number]) => unknown) {
  const groups = new Map<unknown, typeof rows>();
  for (const r of list) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return new Map([...groups].map(([k, g]) => {
    const sum = g.reduce((a, r) => a + r.total, 0);
    const dates = g.map((r) => r.placed).filter((d) => d !== '').sort();
    return [k, { count: g.length, sum, avg: sum / g.length, min: dates[0] ?? null, max: dates.at(-1) ?? null }];
  }));
}

function expectMatches(items: any[], expected: ReturnType<typeof reference>, key: (item: any) => unknown) {
  expect(items).toHaveLength(expected.size);
  for (const item of items) {
    const e = expected.get(key(item));
    expect(e, JSON.stringify(item)).toBeDefined();
    expect(item.count).toBe(e!.count);
    expect(item.sum_total).toBeCloseTo(e!.sum, 6);
    expect(item.avg_total).toBeCloseTo(e!.avg, 6);
    expect(item.min_placed).toBe(e!.min);
    expect(item.max_placed).toBe(e!.max);
  }
}

const ALL = 'aggregate=count(),sum(total),avg(total),min(placed),max(placed)';

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
      fc.subarray(keys, { minLength: 1 }), fc.constantFrom('', 'total > 10', "category != 'books'"), fc.integer({ min: 1, max: 7 }),
      async (groupBy, filter, perPage) => {
        const q = `groupBy=${encodeURIComponent(groupBy.join(','))}&${ALL}&filter=${encodeURIComponent(filter)}&perPage=${perPage}`;
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
    ), { numRuns: 15, seed: 3 });
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
      ['aggregate=count(total)', 'aggregate'],
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
