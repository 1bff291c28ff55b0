/**
 * The workloads W1–W7 of the benchmark README, S1 (search), C1 (cursor pages) and A1 (aggregates): how each request is made (used by
 * the load worker) and how each answer is checked before anything is measured.
 */
import { BENCH_USER, CATEGORIES, EVENT_KINDS, NEW_CATEGORY, PRODUCT_SEARCHES } from './data.mjs';
import { BenchError } from './servers.mjs';

const pick = (list) => list[Math.floor(Math.random() * list.length)];
const q = (s) => encodeURIComponent(s);
const listOf = (collection, field, value, sort, extra = '') =>
  `/api/collections/${collection}/records?filter=${q(`(${field}='${value}')`)}&sort=${q(sort)}&perPage=20${extra}`;

/** Every workload by id, in run order. `auth` says whose token the requests carry. */
export const WORKLOADS = {
  W1: {
    title: 'view one record (guest)', auth: 'guest',
    request: (ctx) => ({ method: 'GET', path: `/api/collections/products/records/${pick(ctx.productIds)}` }),
    verify: verifyView,
  },
  W2: {
    title: 'list 20 by category, sort -price', auth: 'guest',
    request: () => ({ method: 'GET', path: listOf('products', 'category', pick(CATEGORIES), '-price') }),
    verify: (api, ctx) => verifyCategoryList(api, ctx, 'products', '', 500),
  },
  W2s: {
    title: 'W2 with skipTotal=1', auth: 'guest',
    request: () => ({ method: 'GET', path: listOf('products', 'category', pick(CATEGORIES), '-price', '&skipTotal=1') }),
    verify: (api, ctx) => verifyCategoryList(api, ctx, 'products', '&skipTotal=1', -1),
  },
  W3: {
    title: 'create a record (signed in)', auth: 'user',
    request: () => ({ method: 'POST', path: '/api/collections/products/records', body: newProduct() }),
    verify: verifyCreate,
  },
  W4: {
    title: 'auth-with-password (argon2id)', auth: 'guest', durationFactor: 3,
    request: () => ({ method: 'POST', path: '/api/collections/users/auth-with-password', body: { identity: BENCH_USER.email, password: BENCH_USER.password } }),
    verify: verifyLogin,
  },
  W5: {
    title: 'update stock of a record (signed in)', auth: 'user',
    request: (ctx) => ({ method: 'PATCH', path: `/api/collections/products/records/${pick(ctx.productIds)}`, body: { stock: Math.floor(Math.random() * 1000) } }),
    verify: verifyUpdate,
  },
  W6: {
    title: 'W2 under listRule owner = @request.auth.id', auth: 'user',
    request: () => ({ method: 'GET', path: listOf('owned_products', 'category', pick(CATEGORIES), '-price') }),
    verify: (api, ctx) => verifyCategoryList(api, ctx, 'owned_products', '', 50),
  },
  W7: {
    title: '1M rows: filter + sort, page 1, skipTotal', auth: 'guest',
    request: () => ({ method: 'GET', path: listOf('events', 'kind', pick(EVENT_KINDS), '-score', '&skipTotal=1') }),
    verify: (api) => verifyEvents(api, 1),
  },
  W7p500: {
    title: '1M rows: filter + sort, page 500, skipTotal', auth: 'guest',
    request: () => ({ method: 'GET', path: listOf('events', 'kind', pick(EVENT_KINDS), '-score', '&skipTotal=1&page=500') }),
    verify: (api) => verifyEvents(api, 500),
  },
  S1: {
    title: 'search 10,000 products, sort -@rank', auth: 'guest',
    request: () => ({ method: 'GET', path: searchPath(pick(PRODUCT_SEARCHES)) }),
    verify: verifySearch,
  },
  C1: {
    title: '1M rows: filter + sort, cursor page 1', auth: 'guest',
    request: () => ({ method: 'GET', path: listOf('events', 'kind', pick(EVENT_KINDS), '-score', '&cursor=') }),
    verify: (api) => verifyEventCursor(api),
  },
  C1deep: {
    title: '1M rows: filter + sort, cursor 10,000 rows deep', auth: 'guest',
    request: (ctx) => {
      const kind = pick(EVENT_KINDS);
      return { method: 'GET', path: listOf('events', 'kind', kind, '-score', `&cursor=${q(ctx.deepCursors[kind])}`) };
    },
    verify: (api) => prepareDeepCursors(api),
  },
  A1: {
    title: 'aggregate 10,000 products by category', auth: 'guest',
    request: () => ({ method: 'GET', path: AGGREGATE_PATH }),
    verify: verifyAggregate,
  },
};

/** A1: revenue-style figures per category over the whole products collection. */
const AGGREGATE_PATH = `/api/collections/products/records/aggregate?groupBy=category&aggregate=${q('count(),sum(stock),avg(price),min(price),max(price)')}&sort=-sum_stock&perPage=20`;

/** S1: a search of the products by relevance, as a search box would send it. */
const searchPath = (text) => `/api/collections/products/records?filter=${q(`search('${text}')`)}&sort=${q('-@rank')}&perPage=20&skipTotal=1`;

/** The product body W3 sends; its category is one no list workload asks for. */
export function newProduct() {
  return {
    name: `Created ${Math.random().toString(36).slice(2, 10)}`,
    price: Math.round(Math.random() * 100_000) / 100,
    stock: Math.floor(Math.random() * 1000),
    category: NEW_CATEGORY,
    description: 'A product created by the W3 workload of the benchmark.',
  };
}

function check(condition, workload, what, got) {
  if (!condition) throw new BenchError(`${workload}: wrong answer: ${what}; got ${JSON.stringify(got).slice(0, 400)}`);
}

async function verifyView(api, ctx) {
  for (const index of [0, 4321, ctx.productIds.length - 1]) {
    const id = ctx.productIds[index];
    const res = await api('GET', `/api/collections/products/records/${id}`);
    check(res.status === 200, 'W1', `GET record ${id} should answer 200`, res);
    check(res.body.id === id && res.body.name.startsWith(`Product ${index} `), 'W1', `record ${id} should be seeded product ${index}`, res.body);
  }
  const missing = await api('GET', '/api/collections/products/records/nosuchrecord000');
  check(missing.status === 404, 'W1', 'an unknown id should answer 404', missing);
}

async function verifyCategoryList(api, ctx, collection, extra, expectedTotal) {
  const workload = collection === 'products' ? (extra ? 'W2s' : 'W2') : 'W6';
  const auth = collection === 'owned_products' ? ctx.token : undefined;
  for (const category of [CATEGORIES[0], CATEGORIES[7], CATEGORIES[19]]) {
    const res = await api('GET', listOf(collection, 'category', category, '-price', extra), undefined, auth);
    check(res.status === 200, workload, `list of ${category} should answer 200`, res);
    const items = res.body.items ?? [];
    check(items.length === 20, workload, `list of ${category} should hold 20 items`, res.body);
    check(items.every((r) => r.category === category), workload, `every item should be of category ${category}`, items.map((r) => r.category));
    check(items.every((r, i) => i === 0 || items[i - 1].price >= r.price), workload, 'items should be in descending price order', items.map((r) => r.price));
    if (collection === 'owned_products') {
      check(items.every((r) => r.owner === ctx.benchUserId), workload, 'the rule should show only the signed-in user\'s rows', items.map((r) => r.owner));
    }
    check(res.body.totalItems === expectedTotal, workload, `totalItems should be ${expectedTotal}`, res.body.totalItems);
  }
  if (collection === 'owned_products') {
    const guest = await api('GET', listOf(collection, 'category', CATEGORIES[0], '-price'));
    check(guest.status === 200 && guest.body.items?.length === 0, workload, 'a guest should see no owned rows', guest);
  }
}

async function verifyCreate(api, ctx) {
  const body = newProduct();
  const res = await api('POST', '/api/collections/products/records', body, ctx.token);
  check(res.status === 200 && typeof res.body.id === 'string', 'W3', 'create should answer 200 with an id', res);
  const back = await api('GET', `/api/collections/products/records/${res.body.id}`);
  check(back.status === 200 && back.body.name === body.name && back.body.category === NEW_CATEGORY, 'W3', 'the created record should read back', back);
  const guest = await api('POST', '/api/collections/products/records', body);
  check(guest.status >= 400 && guest.status < 500, 'W3', 'a guest create should be refused', guest);
}

async function verifyLogin(api) {
  // The wrong password first: the successful sign-in after it clears the identity's back-off.
  const wrong = await api('POST', '/api/collections/users/auth-with-password', { identity: BENCH_USER.email, password: 'wrong-password-123' });
  check(wrong.status === 400, 'W4', 'a wrong password should answer 400', wrong);
  const res = await api('POST', '/api/collections/users/auth-with-password', { identity: BENCH_USER.email, password: BENCH_USER.password });
  check(res.status === 200 && typeof res.body.token === 'string' && res.body.token.split('.').length === 3, 'W4', 'login should answer 200 with a token', res);
  check(res.body.record?.email === BENCH_USER.email, 'W4', 'login should return the user record', res.body.record);
}

async function verifyUpdate(api, ctx) {
  const id = ctx.productIds[77];
  const stock = 100 + Math.floor(Math.random() * 800);
  const res = await api('PATCH', `/api/collections/products/records/${id}`, { stock }, ctx.token);
  check(res.status === 200 && res.body.stock === stock, 'W5', `update should answer 200 with stock ${stock}`, res);
  const back = await api('GET', `/api/collections/products/records/${id}`);
  check(back.status === 200 && back.body.stock === stock, 'W5', 'the new stock should read back', back);
  const bad = await api('PATCH', `/api/collections/products/records/${id}`, { stock: 1.5 }, ctx.token);
  check(bad.status === 400, 'W5', 'a non-integer stock should answer 400', bad);
}

/**
 * S1: every search's page holds products whose text has the search's words (as prefixes, or the phrase) and none of
 * its exclusions, by descending relevance (docs/search.md §3: 2 for the words within the name, 1 within the
 * description); on Plinth, the same ids in the same order as the baseline's (checked first, by run.mjs).
 */
async function verifySearch(api, ctx) {
  const searchIds = {};
  for (const text of PRODUCT_SEARCHES) {
    const res = await api('GET', searchPath(text));
    check(res.status === 200 && res.body.items?.length > 0, 'S1', `search ${text} should answer 200 with products`, res);
    const items = res.body.items;
    const terms = text.split(' ').filter((t) => !t.startsWith('-') && !t.startsWith('"'));
    const phrase = text.startsWith('"') ? text.slice(1, -1) : null;
    const excluded = text.split(' ').filter((t) => t.startsWith('-')).map((t) => t.slice(1));
    const has = (field, word) => field.toLowerCase().split(/[^a-z0-9]+/).some((w) => w.startsWith(word));
    const within = (field) => (phrase ? field.toLowerCase().includes(phrase) : terms.every((t) => has(field, t)));
    const rank = (r) => (within(r.name) ? 2 : 0) + (within(r.description) ? 1 : 0);
    check(items.every((r) => within(`${r.name} ${r.description}`) && !excluded.some((t) => has(`${r.name} ${r.description}`, t))), 'S1',
      `every product of ${text} should hold its words and none it excludes`, items.map((r) => r.name));
    check(items.every((r, i) => i === 0 || rank(items[i - 1]) >= rank(r)), 'S1', `products of ${text} should come by descending relevance`, items.map(rank));
    searchIds[text] = items.map((r) => r.id);
    if (ctx.server !== 'baseline') {
      const expected = ctx.extra.baseline?.searchIds?.[text] ?? [];
      check(searchIds[text].join() === expected.join(), 'S1', `search ${text} should answer the baseline's ids (${expected.join()})`, searchIds[text]);
    }
  }
  check(Object.values(searchIds).some((ids) => ids.length === 20), 'S1', 'some searches should fill a page of 20', searchIds);
  return { searchIds };
}

async function verifyEvents(api, page) {
  const workload = page === 1 ? 'W7' : 'W7p500';
  for (const kind of ['k0', 'k9']) {
    const res = await api('GET', listOf('events', 'kind', kind, '-score', `&skipTotal=1&page=${page}`));
    check(res.status === 200, workload, `events of ${kind} page ${page} should answer 200`, res);
    const items = res.body.items ?? [];
    check(items.length === 20 && items.every((r) => r.kind === kind), workload, `page ${page} should hold 20 events of ${kind}`, items.length);
    check(items.every((r, i) => i === 0 || items[i - 1].score >= r.score), workload, 'events should be in descending score order', items.map((r) => r.score));
  }
}

async function verifyEventCursor(api) {
  for (const kind of ['k0', 'k9']) {
    const first = await api('GET', listOf('events', 'kind', kind, '-score', '&cursor='));
    check(first.status === 200 && first.body.items?.length === 20, 'C1', `cursor page 1 of ${kind} should hold 20 events`, first);
    check(typeof first.body.nextCursor === 'string' && first.body.totalItems === -1, 'C1', 'the answer should carry nextCursor and no total', first.body);
    // NOTE: one perPage only: `perPage=20&perPage=40` is read as 20 by both servers, so 40 walked rows never matched.
    const offset = await api('GET', listOf('events', 'kind', kind, '-score', '&skipTotal=1').replace('perPage=20', 'perPage=40'));
    check(offset.status === 200 && offset.body.items?.length === 40, 'C1', `the offset page of 40 events of ${kind} should hold 40 events`, offset);
    const next = await api('GET', listOf('events', 'kind', kind, '-score', `&cursor=${q(first.body.nextCursor)}`));
    const walked = [...first.body.items, ...next.body.items].map((r) => r.score);
    check(walked.join() === offset.body.items.map((r) => r.score).join(), 'C1', 'two cursor pages should hold the scores of the first 40 rows', walked);
  }
}

/** C1deep: walks each kind 10,000 rows deep (10 pages of 1,000) and keeps the cursor found there. */
async function prepareDeepCursors(api) {
  const deepCursors = {};
  for (const kind of EVENT_KINDS) {
    let cursor = '';
    let lastScore = Infinity;
    for (let page = 0; page < 10; page++) {
      const res = await api('GET', `${listOf('events', 'kind', kind, '-score', `&cursor=${q(cursor)}`)}`.replace('perPage=20', 'perPage=1000'));
      check(res.status === 200 && res.body.items?.length === 1000, 'C1deep', `page ${page + 1} of ${kind} should hold 1,000 events`, res.status);
      lastScore = res.body.items.at(-1).score;
      cursor = res.body.nextCursor;
    }
    const deep = await api('GET', listOf('events', 'kind', kind, '-score', `&cursor=${q(cursor)}`));
    const items = deep.body.items ?? [];
    check(items.length === 20 && items.every((r) => r.kind === kind && r.score <= lastScore), 'C1deep', `the deep page of ${kind} should continue the walk`, items.length);
    deepCursors[kind] = cursor;
  }
  return { deepCursors };
}

async function verifyAggregate(api) {
  const res = await api('GET', AGGREGATE_PATH);
  check(res.status === 200 && res.body.items?.length === 20, 'A1', 'the aggregate should answer 20 categories', res);
  const items = res.body.items;
  check(items.reduce((n, i) => n + i.count, 0) >= 10_000, 'A1', 'the counts should cover every product', items.map((i) => i.count));
  check(items.every((i, k) => k === 0 || items[k - 1].sum_stock >= i.sum_stock), 'A1', 'categories should come in descending sum_stock order', items.map((i) => i.sum_stock));
  check(items.every((i) => i.min_price <= i.avg_price && i.avg_price <= i.max_price), 'A1', 'min <= avg <= max in every category', items);
}
