/**
 * Records list (docs/api.md §3.1, §1.7, §4.8): pagination, totals, sort, filter,
 * default order and the errors of bad or privileged parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, makeUser, runScenarios, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
});
afterAll(async () => { await s?.close(); });

const BAD_REQUEST = { status: 400, message: 'Something went wrong while processing your request.', data: {} };

describe('list pagination and totals', () => {
  let name: string;
  const titles = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
  beforeAll(async () => {
    name = uniqueName('plist');
    await createCollection(s, { name, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'secret', type: 'text', hidden: true }] });
    for (const [i, title] of titles.entries()) await createRecord(s, name, { title, n: i % 2, secret: `s${i}` });
  });

  it('pages, caps and defaults', async () => {
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'defaults', method: 'GET', url: base, status: 200, expect: { page: 1, perPage: 30, totalItems: 5, totalPages: 1 } },
      { name: 'page 2 of 2', method: 'GET', url: `${base}?page=2&perPage=2`, status: 200, expect: { page: 2, perPage: 2, totalItems: 5, totalPages: 3, items: [{ title: 'echo' }, { title: 'charlie' }] } },
      { name: 'page past the end', method: 'GET', url: `${base}?page=9&perPage=2`, status: 200, expect: { page: 9, perPage: 2, totalItems: 5, totalPages: 3, items: [] } },
      { name: 'perPage capped at 1000', method: 'GET', url: `${base}?perPage=5000`, status: 200, expect: { perPage: 1000 } },
      { name: 'perPage 0 → 30', method: 'GET', url: `${base}?perPage=0`, status: 200, expect: { perPage: 30 } },
      { name: 'perPage -3 → 30', method: 'GET', url: `${base}?perPage=-3`, status: 200, expect: { perPage: 30 } },
      { name: 'page 0 → 1', method: 'GET', url: `${base}?page=0&perPage=2`, status: 200, expect: { page: 1, items: [{ title: 'delta' }, { title: 'alpha' }] } },
      { name: 'page -1 → 1', method: 'GET', url: `${base}?page=-1`, status: 200, expect: { page: 1 } },
      { name: 'skipTotal', method: 'GET', url: `${base}?skipTotal=1&perPage=2`, status: 200, expect: { totalItems: -1, totalPages: -1, perPage: 2 } },
      { name: 'skipTotal=true', method: 'GET', url: `${base}?skipTotal=true`, status: 200, expect: { totalItems: -1, totalPages: -1 } },
      { name: 'non-integer page', method: 'GET', url: `${base}?page=abc`, status: 400, expect: BAD_REQUEST },
      { name: 'fractional page', method: 'GET', url: `${base}?page=1.5`, status: 400 },
      { name: 'non-integer perPage', method: 'GET', url: `${base}?perPage=x`, status: 400 },
      { name: 'non-bool skipTotal', method: 'GET', url: `${base}?skipTotal=maybe`, status: 400 },
    ]);
  });

  it('keeps insertion order without sort and sorts on request', async () => {
    const base = `/api/collections/${name}/records`;
    const get = async (q: string) => (await s.request('GET', `${base}?${q}`)).body.items.map((i: any) => i.title);
    expect(await get('')).toEqual(titles);
    expect(await get('sort=title')).toEqual([...titles].sort());
    expect(await get('sort=-title')).toEqual([...titles].sort().reverse());
    expect(await get('sort=%2Btitle')).toEqual([...titles].sort());
    // n: delta 0, alpha 1, echo 0, charlie 1, bravo 0
    expect(await get('sort=n,-title')).toEqual(['echo', 'delta', 'bravo', 'charlie', 'alpha']);
    expect(await get('sort=-n, title')).toEqual(['alpha', 'charlie', 'bravo', 'delta', 'echo']);
    const random = await get('sort=@random');
    expect([...random].sort()).toEqual([...titles].sort());
    expect(await get(`filter=${encodeURIComponent("n = 0 && title != 'echo'")}`)).toEqual(['delta', 'bravo']);
    expect(await get(`filter=${encodeURIComponent("title ~ 'a'")}&sort=title`)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    const filtered = await s.request('GET', `${base}?filter=${encodeURIComponent('n = 1')}&perPage=1`);
    expect(filtered.body).toMatchObject({ totalItems: 2, totalPages: 2, perPage: 1 });
  });

  it('rejects bad filter and sort with the default 400', async () => {
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'syntax error', method: 'GET', url: `${base}?filter=${encodeURIComponent('title = ')}`, status: 400, expect: BAD_REQUEST },
      { name: 'unknown field in filter', method: 'GET', url: `${base}?filter=${encodeURIComponent("nope = 1")}`, status: 400, expect: BAD_REQUEST },
      { name: 'unknown sort field', method: 'GET', url: `${base}?sort=nope`, status: 400, expect: BAD_REQUEST },
      { name: 'literal sort', method: 'GET', url: `${base}?sort=${encodeURIComponent("'x'")}`, status: 400, expect: BAD_REQUEST },
      { name: 'hidden field filter by guest', method: 'GET', url: `${base}?filter=${encodeURIComponent("secret = 's1'")}`, status: 400, expect: BAD_REQUEST },
      { name: 'hidden field sort by guest', method: 'GET', url: `${base}?sort=secret`, status: 400, expect: BAD_REQUEST },
      { name: 'hidden field filter by superuser', method: 'GET', url: `${base}?filter=${encodeURIComponent("secret = 's1'")}`, token: admin, status: 200, expect: { totalItems: 1, items: [{ title: 'alpha', secret: 's1' }] } },
      { name: '@collection in filter', method: 'GET', url: `${base}?filter=${encodeURIComponent(`@collection.${name}.title = 'x'`)}`, status: 403, expect: { status: 403, message: 'Only superusers can filter by @collection.', data: {} } },
      { name: '@request in filter', method: 'GET', url: `${base}?filter=${encodeURIComponent("@request.auth.id = ''")}`, status: 403, expect: { status: 403, message: 'Only superusers can filter by @request.', data: {} } },
      { name: '@request in sort', method: 'GET', url: `${base}?sort=${encodeURIComponent('@request.auth.id')}`, status: 403, expect: { message: 'Only superusers can filter by @request.' } },
      { name: '@collection by superuser', method: 'GET', url: `${base}?filter=${encodeURIComponent(`@collection.${name}.title ?= 'alpha'`)}`, token: admin, status: 200, expect: { totalItems: 5 } },
      { name: '@request by superuser', method: 'GET', url: `${base}?filter=${encodeURIComponent("@request.auth.id != ''")}`, token: admin, status: 200, expect: { totalItems: 5 } },
    ]);
  });

  it('hides hidden fields from guests in items', async () => {
    const r = await s.request('GET', `/api/collections/${name}/records`);
    for (const item of r.body.items) expect(item).not.toHaveProperty('secret');
    const a = await s.request('GET', `/api/collections/${name}/records`, { token: admin });
    expect(a.body.items[0]).toHaveProperty('secret', 's0');
  });
});

describe('list sort by relation path and rules', () => {
  it('sorts by author.name and filters through the listRule', async () => {
    const authors = uniqueName('auth');
    const posts = uniqueName('post');
    const a = await createCollection(s, { name: authors, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }] });
    await createCollection(s, { name: posts, listRule: "status = 'pub'", viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'status', type: 'text' }, { name: 'author', type: 'relation', collectionId: a.id, maxSelect: 1 }] });
    const zed = await createRecord(s, authors, { name: 'Zed' });
    const amy = await createRecord(s, authors, { name: 'Amy' });
    const moe = await createRecord(s, authors, { name: 'Moe' });
    await createRecord(s, posts, { title: 'p1', status: 'pub', author: zed.id });
    await createRecord(s, posts, { title: 'p2', status: 'pub', author: amy.id });
    await createRecord(s, posts, { title: 'p3', status: 'draft', author: moe.id });
    await createRecord(s, posts, { title: 'p4', status: 'pub', author: moe.id });
    const guest = await s.request('GET', `/api/collections/${posts}/records?sort=author.name`);
    expect(guest.status, guest.text).toBe(200);
    expect(guest.body.items.map((i: any) => i.title)).toEqual(['p2', 'p4', 'p1']);
    expect(guest.body.totalItems).toBe(3);
    const desc = await s.request('GET', `/api/collections/${posts}/records?sort=-author.name`);
    expect(desc.body.items.map((i: any) => i.title)).toEqual(['p1', 'p4', 'p2']);
    const sup = await s.request('GET', `/api/collections/${posts}/records?sort=author.name,-title`, { token: admin });
    expect(sup.body.items.map((i: any) => i.title)).toEqual(['p2', 'p4', 'p3', 'p1']);
    const byRel = await s.request('GET', `/api/collections/${posts}/records?filter=${encodeURIComponent("author.name = 'Moe'")}`);
    expect(byRel.body.items.map((i: any) => i.title)).toEqual(['p4']);
  });

  it('counts each record once through multiple relations and hides hidden related fields', async () => {
    const tags = uniqueName('tg');
    const t = await createCollection(s, { name: tags, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }, { name: 'sec', type: 'text', hidden: true }] });
    const items = uniqueName('it');
    await createCollection(s, { name: items, listRule: '', viewRule: '', fields: [{ name: 'title', type: 'text' }, { name: 'rels', type: 'relation', collectionId: t.id, maxSelect: 5 }] });
    const t1 = await createRecord(s, tags, { name: 'x', sec: '1' });
    const t2 = await createRecord(s, tags, { name: 'x', sec: '2' });
    await createRecord(s, items, { title: 'one', rels: [t1.id, t2.id] });
    await createRecord(s, items, { title: 'two', rels: [t1.id] });
    const base = `/api/collections/${items}/records`;
    await runScenarios(s, [
      { name: 'any-match over two matching relations', method: 'GET', url: `${base}?filter=${encodeURIComponent("rels.name ?= 'x'")}`, status: 200, expect: { totalItems: 2, items: [{ title: 'one' }, { title: 'two' }] } },
      { name: 'back-relation any-match', method: 'GET', url: `/api/collections/${tags}/records?filter=${encodeURIComponent(`${items}_via_rels.title ?~ 'o'`)}`, status: 200, expect: { totalItems: 2 } },
      { name: 'sort by :length', method: 'GET', url: `${base}?sort=${encodeURIComponent('-rels:length')}&fields=title`, status: 200, expect: { items: [{ title: 'one' }, { title: 'two' }] } },
      { name: 'hidden related field in guest filter', method: 'GET', url: `${base}?filter=${encodeURIComponent("rels.sec ?= '1'")}`, status: 400, expect: BAD_REQUEST },
      { name: 'hidden related field in guest sort', method: 'GET', url: `${base}?sort=rels.sec`, status: 400, expect: BAD_REQUEST },
      { name: 'hidden related field for superuser', method: 'GET', url: `${base}?filter=${encodeURIComponent("rels.sec ?= '2'")}`, token: admin, status: 200, expect: { totalItems: 1, items: [{ title: 'one' }] } },
    ]);
  });

  it('answers 403 for a null listRule and 404 for an unknown collection', async () => {
    const name = uniqueName('locked');
    await createCollection(s, { name, fields: [{ name: 'title', type: 'text' }] });
    await createRecord(s, name, { title: 'x' });
    await runScenarios(s, [
      { name: 'locked list', method: 'GET', url: `/api/collections/${name}/records`, status: 403, expect: { status: 403, message: 'Only superusers can perform this action.', data: {} } },
      { name: 'superuser list', method: 'GET', url: `/api/collections/${name}/records`, token: admin, status: 200, expect: { totalItems: 1 } },
      { name: 'unknown collection', method: 'GET', url: '/api/collections/nope_nope/records', status: 404, expect: { status: 404, message: 'Missing collection context.', data: {} } },
    ]);
  });
});

describe('repeated lists of one shape (docs/architecture.md §3)', () => {
  it('answer for each requester, filter value and rule as they stand, however often asked', async () => {
    const name = uniqueName('pshape');
    const a = await makeUser(s, `${uniqueName('a')}@example.com`);
    const b = await makeUser(s, `${uniqueName('b')}@example.com`);
    const c = await createCollection(s, {
      name, listRule: 'owner = @request.auth.id', viewRule: '',
      fields: [{ name: 'n', type: 'number' }, { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 }],
    });
    for (const [owner, n] of [[a.id, 1], [a.id, 2], [b.id, 1], [b.id, 3]] as const) await createRecord(s, name, { owner, n });
    const list = async (filter: string, token?: string, extra = '') => {
      const r = await s.request('GET', `/api/collections/${name}/records?filter=${encodeURIComponent(filter)}&sort=-n${extra}`, { token });
      expect(r.status, r.text).toBe(200);
      return { ns: r.body.items.map((x: any) => x.n), total: r.body.totalItems };
    };
    for (let round = 0; round < 3; round++) {
      expect(await list('n > 0', a.token)).toEqual({ ns: [2, 1], total: 2 });
      expect(await list('n > 0', b.token)).toEqual({ ns: [3, 1], total: 2 });
      expect(await list('n > 0')).toEqual({ ns: [], total: 0 });
      expect(await list('n > 0', admin)).toEqual({ ns: [3, 2, 1, 1], total: 4 });
      expect(await list('n > 1', b.token)).toEqual({ ns: [3], total: 1 });
      expect(await list('n > 1', b.token, '&skipTotal=1&page=2&perPage=1')).toEqual({ ns: [], total: -1 });
    }
    const walk = async (token?: string) => {
      const first = await s.request('GET', `/api/collections/${name}/records?sort=-n&perPage=1&cursor=`, { token });
      expect(first.status, first.text).toBe(200);
      const next = await s.request('GET', `/api/collections/${name}/records?sort=-n&perPage=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token });
      expect(next.status, next.text).toBe(200);
      return [...first.body.items, ...next.body.items].map((x: any) => x.n);
    };
    for (let round = 0; round < 2; round++) {
      expect(await walk(a.token)).toEqual([2, 1]);
      expect(await walk(b.token)).toEqual([3, 1]);
    }
    // A rule change applies to the next list of the same shape.
    const updated = await s.request('PATCH', `/api/collections/${c.id}`, { token: admin, body: { listRule: 'n >= 2' } });
    expect(updated.status, updated.text).toBe(200);
    expect(await list('n > 0', a.token)).toEqual({ ns: [3, 2], total: 2 });
    expect(await list('n > 0')).toEqual({ ns: [3, 2], total: 2 });
  });
});

describe('repeated lists through a relation (docs/architecture.md §3)', () => {
  it('apply the joined collection listRule to each request, headers included', async () => {
    const teams = uniqueName('pteams');
    const tc = await createCollection(s, { name: teams, listRule: "@request.headers.x_team_key = 'open'", viewRule: '', fields: [{ name: 'name', type: 'text' }] });
    const team = await createRecord(s, teams, { name: 'red' });
    const players = uniqueName('pplayers');
    await createCollection(s, { name: players, listRule: '', viewRule: '', fields: [{ name: 'team', type: 'relation', collectionId: tc.id, maxSelect: 1 }, { name: 'n', type: 'number' }] });
    await createRecord(s, players, { team: team.id, n: 1 });
    const count = async (key: string) => {
      const r = await s.request('GET', `/api/collections/${players}/records?filter=${encodeURIComponent("team.name = 'red'")}&sort=n`, { headers: { 'X-Team-Key': key } });
      expect(r.status, r.text).toBe(200);
      return r.body.totalItems;
    };
    for (let round = 0; round < 2; round++) {
      expect(await count('open')).toBe(1);
      expect(await count('shut')).toBe(0);
    }
  });
});
