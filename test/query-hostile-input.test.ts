/**
 * The query features of issue 16 against hostile input, over HTTP, on either engine:
 * `search()` and `@rank` (docs/search.md), cursors (docs/api.md §3.10), aggregates (§3.11),
 * field rules (docs/field-rules.md) and the OpenAPI document (docs/openapi.md). Every bad
 * input is a 4xx in the error shape of docs/api.md §1.3 (naming the parameter where the
 * feature's own parser refuses it), a valid one a 200, never a 500; no request stalls the
 * server; and a normal request still works afterwards, with the data unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
let orders: string;
let notes: string;
let view: string;
const LIST = () => `/api/collections/${orders}/records`;
const AGG = () => `/api/collections/${orders}/records/aggregate`;
const q = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params)}`;
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
const NINES = '9'.repeat(400);

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  const customers = await createCollection(s, { name: uniqueName('qhcust'), listRule: '', viewRule: '', fields: [{ name: 'country', type: 'text' }, { name: 'born', type: 'date' }] });
  orders = uniqueName('qhorders');
  await createCollection(s, {
    name: orders, listRule: '', viewRule: '',
    fields: [
      { name: 'title', type: 'text', searchable: true },
      { name: 'body', type: 'editor', searchable: true },
      { name: 'total', type: 'number' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'salary', type: 'number', readRule: "@request.auth.id != ''" },
      { name: 'vault', type: 'text', readRule: null },
      { name: 'customer', type: 'relation', collectionId: customers.id, maxSelect: 1 },
      { name: 'many', type: 'relation', collectionId: customers.id, maxSelect: 5 },
      { name: 'meta', type: 'json' },
      { name: 'doc', type: 'file', maxSelect: 1 },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  });
  const c = await createRecord(s, customers.name, { country: 'DE', born: '2000-01-02 00:00:00.000Z' });
  const rows = [
    { title: 'red shoes', total: 1 }, { title: 'blue wool sweater', total: 2 }, { title: 'NEAR(a b) AND "OR"', total: 3 },
    // Numbers at the edges of a double, stored by anyone who may write: sums past the range,
    // a denormal, and numerals in text past a double (docs/api.md §3.11, §4.5).
    { title: '1e999', total: 1.7e308 }, { title: NINES, total: 1.7e308 }, { title: 'tiny', total: 5e-324, meta: { a: '1e999' } },
  ];
  for (const row of rows) await createRecord(s, orders, { body: `<p>${row.title} body</p>`, secret: 's', salary: 10, vault: 'v', customer: c.id, many: [c.id], ...row });
  notes = uniqueName('qhnotes');
  await createCollection(s, { name: notes, listRule: '', viewRule: '', fields: [{ name: 'text', type: 'text' }] });
  for (const text of ['hello', 'world']) await createRecord(s, notes, { text });
  view = uniqueName('qhview');
  await createCollection(s, { name: view, type: 'view', listRule: '', viewRule: '', viewQuery: `SELECT id, title, total FROM ${orders}` });
});
afterAll(async () => { await s?.close(); });

/** A 4xx in the error shape, whose data names `param` when given; or the expected 200. */
async function expectAnswer(url: string, status: number, param?: string, token?: string): Promise<any> {
  const r = await s.request('GET', url, { token });
  expect(r.status, `${url.slice(0, 200)}: ${r.text.slice(0, 300)}`).toBe(status);
  if (status >= 400) {
    expect(r.body).toMatchObject({ status, message: expect.any(String), data: expect.any(Object) });
    if (param) expect(Object.keys(r.body.data), r.text).toContain(param);
  }
  return r.body;
}

/** The page a normal search answers, unchanged by anything before it. */
async function expectIntact(): Promise<void> {
  const r = await expectAnswer(q(LIST(), { filter: "search('shoes')", sort: '-@rank' }), 200);
  expect(r.items.map((i: any) => i.title)).toEqual(['red shoes']);
  const all = await expectAnswer(q(LIST(), { perPage: '100' }), 200);
  expect(all.totalItems).toBe(6);
}

describe('search() and @rank', () => {
  const syntax = ['"', '*', ':', '^', 'NEAR(', '-', '|', '&', '!', '<->', "\\'", '\\\\', '"red" * title:x ^y NEAR(a b, 5) -z | & ! <->', '\u0000', '\u0001\u001f', '\u202e', '😀', '1e309', ''];
  it.each(syntax.map((t) => [JSON.stringify(t), t]))('search(%s) reads FTS5/tsquery syntax as plain words: 200', async (_label, text) => {
    await expectAnswer(q(LIST(), { filter: `search('${text}')`, sort: '-@rank' }), 200);
    await expectAnswer(q(LIST(), { filter: `search(title, '${text}')`, sort: '@rank' }), 200);
  });

  it.each([
    ['a text over 500 characters', `search('${'a'.repeat(501)}')`],
    ['more than 16 words', `search('${words(17)}')`],
    ['a phrase of 9 words', `search('"${words(9)}"')`],
    ['a field that is not searchable', "search(secret, 'x')"],
    ['a field with a readRule', "search(salary, 'x')"],
    ['a relation path', "search(customer.country, 'x')"],
    ['no argument', 'search()'],
    ['three arguments', "search(title, 'a', 'b')"],
    ['a number', 'search(1)'],
    ['a comparison other than = true/false', "search('red') > 1"],
    ['search() inside search()', "search(search('x'))"],
  ])('%s is a 400 naming filter', async (_label, filter) => {
    await expectAnswer(q(LIST(), { filter, sort: '-@rank' }), 400, 'filter');
  });

  it('10,000 words is refused before the filter is read, in the error shape', async () => {
    const r = await s.request('GET', q(LIST(), { filter: `search('${words(10_000)}')` }));
    expect([400, 414, 431]).toContain(r.status);
    expect(r.body).toMatchObject({ status: r.status, data: {} });
  });

  it.each([
    ['a collection without searchable fields', () => `/api/collections/${notes}/records`, 'filter'],
    ['a view collection', () => `/api/collections/${view}/records`, 'filter'],
  ])('search() on %s is a 400 naming filter', async (_label, path, param) => {
    await expectAnswer(q(path(), { filter: "search('x')", sort: '-@rank' }), 400, param);
  });

  it.each([
    ['@rank without search()', { sort: '-@rank' }, 400, 'sort'],
    ['@rank:lower', { filter: "search('red')", sort: '-@rank:lower' }, 400],
    ['@rank with other keys and @random', { filter: "search('red')", sort: '-@rank,-total,customer.country,@random' }, 200],
    ['a page far past the end', { filter: "search('body')", sort: '-@rank', page: '9007199254740991', perPage: '1000' }, 200],
    ['a negative page and perPage', { filter: "search('body')", sort: '-@rank', page: '-5', perPage: '-5' }, 200],
    ['2,000 nested parentheses', { filter: `${'('.repeat(1700)}search('red')${')'.repeat(1700)}`, sort: '-@rank' }, 200],
  ] as const)('%s → %s', async (_label, params, status, param?: string) => {
    await expectAnswer(q(LIST(), params), status, param);
  });

  it('leaves the data intact', expectIntact);
});

describe('cursor pagination', () => {
  async function cursorOf(params: Record<string, string>, path = LIST(), token?: string): Promise<string> {
    const r = await expectAnswer(q(path, { ...params, cursor: '', perPage: '1' }), 200, undefined, token);
    expect(r.nextCursor).toEqual(expect.any(String));
    return r.nextCursor;
  }

  it('refuses malformed, tampered, oversized and foreign cursors with a 400 naming cursor', async () => {
    const c = await cursorOf({ sort: '-total' });
    const [body, sig] = c.split('.') as [string, string];
    const flip = (t: string) => (t[3] === 'A' ? `${t.slice(0, 3)}B` : `${t.slice(0, 3)}A`) + t.slice(4);
    const forged = Buffer.from(JSON.stringify({ s: 'x', p: 1e300, k: [{ $gt: 1 }] })).toString('base64url');
    const otherCollection = await cursorOf({}, `/api/collections/${notes}/records`);
    const ranked = await cursorOf({ filter: "search('body')", sort: '-@rank' });
    const cases: Array<[string, Record<string, string>]> = [
      ['garbage', { sort: '-total', cursor: 'garbage' }], ['a dot', { sort: '-total', cursor: '.' }],
      ['a changed body', { sort: '-total', cursor: `${flip(body)}.${sig}` }], ['a changed signature', { sort: '-total', cursor: `${body}.${flip(sig)}` }],
      ['a forged payload', { sort: '-total', cursor: `${forged}.${sig}` }], ['8,193 characters', { sort: '-total', cursor: 'a'.repeat(8193) }],
      ['NUL and control characters', { sort: '-total', cursor: '\u0000\u0001.\u001f' }], ['unicode', { sort: '-total', cursor: 'é😀.é😀' }],
      ['another sort', { sort: 'total', cursor: c }], ['another filter', { sort: '-total', filter: 'total > 0', cursor: c }],
      ['another collection', { cursor: otherCollection }], ['a ranked walk with another sort', { sort: '@rank', filter: "search('body')", cursor: ranked }],
      ['a ranked walk with another search', { sort: '-@rank', filter: "search('bod')", cursor: ranked }],
    ];
    for (const [label, params] of cases) {
      const r = await expectAnswer(q(LIST(), params), 400, 'cursor');
      expect(r.data.cursor.code, label).toBe('validation_invalid_cursor');
    }
    await expectAnswer(q(LIST(), { sort: '-total', cursor: c }), 400, 'cursor', admin);
    await expectAnswer(q(LIST(), { sort: '@random', cursor: '' }), 400, 'cursor');
  });

  it('a cursor of 1 MB is refused with 431 in the error shape, and repeated cursors read the first', async () => {
    const huge = await s.request('GET', `${LIST()}?cursor=${'a'.repeat(1 << 20)}`);
    expect(huge.status).toBe(431);
    expect(huge.body).toMatchObject({ status: 431, data: {} });
    const c = await cursorOf({ sort: '-total' });
    await expectAnswer(`${LIST()}?sort=-total&cursor=${encodeURIComponent(c)}&cursor=garbage`, 200);
  });

  it.each(['-total', 'customer.country,-title', 'meta.a', '-salary', 'many', 'doc', 'title:lower'])('walks every page of sort=%s', async (sort) => {
    let cursor = '';
    for (let page = 0; page < 10 && cursor !== null; page++) {
      cursor = (await expectAnswer(q(LIST(), { sort, cursor, perPage: '2' }), 200)).nextCursor;
    }
    expect(cursor).toBeNull();
  });

  it('leaves the data intact', expectIntact);
});

describe('aggregates', () => {
  it.each([
    ['groupBy', 'secret'], ['groupBy', 'vault'], ['groupBy', 'meta'], ['groupBy', 'doc'], ['groupBy', 'many'], ['groupBy', 'customer.nope'],
    ['groupBy', '@rank'], ['groupBy', '@request.auth.id'], ['groupBy', 'title:lower'], ['groupBy', 'title,title'], ['groupBy', 'a,b,c,d,e,f'],
    ['groupBy', 'title,'.repeat(300)], ['groupBy', "strftime('%Y', title)"], ['groupBy', "strftime(created, '%Y')"], ['groupBy', "strftime('%Y', created"],
    ['groupBy', `${'('.repeat(400)}${')'.repeat(400)}`], ['groupBy', "strftime('%Y', @collection.users.created)"],
    ['groupBy', "strftime('%Y', @request.auth.created)"], ['groupBy', "strftime('%Y', @collection.vault.created)"],
    ['aggregate', 'sum(title)'], ['aggregate', 'avg(created)'], ['aggregate', 'min(meta)'], ['aggregate', 'count(secret)'], ['aggregate', 'max(vault)'],
    ['aggregate', 'count_distinct(many)'], ['aggregate', 'median(total)'], ['aggregate', 'sum(total'], ['aggregate', 'count(),count()'],
    ['aggregate', Array.from({ length: 11 }, () => 'count()').join(',')], ['aggregate', Array.from({ length: 200 }, () => 'count()').join(',')],
    ['sort', 'nope'], ['sort', '-@rank'], ['sort', '-'], ['sort', Array.from({ length: 9 }, () => 'count').join(',')],
    ['page', '0'], ['page', '-1'], ['page', '1e309'], ['page', '1000000000'], ['perPage', '0'], ['perPage', '1.5'], ['perPage', '9'.repeat(1001)],
    ['filter', '(('], ['filter', 'total < 1e309'], ['filter', "search('x') > 1"], ['filter', 'secret = 1'],
  ].map(([param, value]) => [param, value!.length > 60 ? `${value!.slice(0, 40)}…(${value!.length} characters)` : value, value!]))('%s=%s is a 400 naming it', async (param, _label, value) => {
    await expectAnswer(q(AGG(), { groupBy: 'title', [param]: value }), 400, param);
  });

  it.each([
    { groupBy: "strftime('%Y-%m', created),customer.country", aggregate: 'count(),sum(total),avg(total),min(created),max(customer.born),count_distinct(customer)', sort: '-count' },
    { groupBy: "strftime('%', created),strftime('', created),strftime('%Q%%é😀', created),strftime('%J %s %f', created)" },
    { groupBy: 'salary', aggregate: 'count(salary),sum(salary)' },
    { perPage: '99999999999999999999999', page: '999999999' },
    { filter: "search('red')", groupBy: 'title' },
  ] as Array<Record<string, string>>)('%o is a 200', async (params) => {
    await expectAnswer(q(AGG(), params), 200);
  });

  it('on a view, and on a collection without searchable fields', async () => {
    await expectAnswer(q(`/api/collections/${view}/records/aggregate`, { groupBy: 'title', aggregate: 'sum(total)' }), 200);
    await expectAnswer(q(`/api/collections/${notes}/records/aggregate`, { filter: "search('x')" }), 400, 'filter');
  });

  it('leaves the data intact', expectIntact);
});

// PostgreSQL raises "out of range" where SQLite gives NULL or ±Infinity: each row was a 500
// there, and the chained modifiers a stall (8 of them: 26 s on a table of 8 rows).
describe('values past the range of a double or a date', () => {
  it('sums and averages past a double are null', async () => {
    const r = await expectAnswer(q(AGG(), { filter: 'total > 1000000', aggregate: 'sum(total),avg(total),max(total)' }), 200);
    expect(r.items).toEqual([{ sum_total: null, avg_total: null, max_total: 1.7e308 }]);
  });

  it('sums and averages of values whose squares are past a double are numbers', async () => {
    // PostgreSQL's float AVG keeps the sum of the squares, and raised on these.
    const large = uniqueName('qhlarge');
    await createCollection(s, { name: large, listRule: '', fields: [{ name: 'n', type: 'number' }] });
    for (const n of [1e200, 3e200]) await createRecord(s, large, { n });
    const r = await expectAnswer(q(`/api/collections/${large}/records/aggregate`, { aggregate: 'sum(n),avg(n)' }), 200);
    expect(r.items).toEqual([{ sum_n: 4e200, avg_n: 2e200 }]);
  });

  it.each([
    ["strftime('%Y', created, '+99999999 years') != ''", 0],
    ["strftime('%Y', created, '-3000000000 months') != ''", 0],
    ["strftime('%Y', created, '+99999999999999999999 days') != ''", 0],
    ["strftime('%Y', '9999-12-31', '+1000000 years') != ''", 0],
    ["strftime('%Y', '99999999999999', 'unixepoch') != ''", 0],
    ["strftime('%Y', '-9999999999999999999999999', 'unixepoch') != ''", 0],
    ["strftime('%Y', title, 'unixepoch') != ''", 0],
    ['title > total', undefined],
    ['geoDistance(title, title, 0, 0) > 1', undefined],
    ['geoDistance(total, total, 0, 0) > 1', undefined],
    ['geoDistance(meta.a, total, 0, 0) >= 0', undefined],
  ])('filter %s is a 200', async (filter, count) => {
    const r = await expectAnswer(q(LIST(), { filter }), 200);
    if (count !== undefined) expect(r.totalItems).toBe(count);
  });

  // NOTE: a stall, not a duration, is what the timeout catches: each modifier wrote the time
  // before it in two to four places, and PostgreSQL took 26 s to plan eight of them.
  it('chained strftime modifiers take what one takes', async () => {
    const chain = (mod: string) => `strftime('%Y', created${`, '${mod}'`.repeat(8)})`;
    const r = await expectAnswer(q(LIST(), { filter: `${chain('+1 months')} != '' && ${chain('-1 years')} != '' && ${chain('+1 days')} != ''` }), 200);
    expect(r.totalItems).toBe(6);
    await expectAnswer(q(AGG(), { groupBy: `${chain('+1 months')},${chain('-1 years')}` }), 200);
  }, 10_000);

  it.each(["strftime('%Y', created, '+99999999 years')", "strftime('%Y', created, '+9223372036854775807 hours')"])(
    'groupBy=%s is a 200', async (groupBy) => {
      await expectAnswer(q(AGG(), { groupBy }), 200);
    },
  );

  it('leaves the data intact', expectIntact);
});

describe('field rules and the OpenAPI document', () => {
  it('a guest cannot reach a hidden or null-readRule field, and reads a rule-guarded one as null', async () => {
    for (const url of [q(LIST(), { filter: 'secret = "s"' }), q(LIST(), { sort: 'vault' }), q(LIST(), { filter: "search(vault, 'v')" })]) await expectAnswer(url, 400);
    const r = await expectAnswer(q(AGG(), { groupBy: 'salary' }), 200);
    expect(r.items).toEqual([{ salary: null, count: 6 }]);
  });

  it.each(['/api/openapi.json', '/api/openapi.json?x=1&x=2', '/api/docs', '/api/docs/docs-init.js'])('%s is a 200', async (url) => {
    await expectAnswer(url, 200);
    await expectAnswer(url, 200, undefined, 'Bearer not-a-token');
  });

  it.each(['/api/openapi.json/', '/api/docs/../../package.json', '/api/docs/%2e%2e/%2e%2e/package.json', '/api/docs/%00', `/api/docs/${'a'.repeat(5000)}`])('%s is a 404', async (url) => {
    await expectAnswer(url, 404);
  });

  it('leaves the data intact', expectIntact);
});
