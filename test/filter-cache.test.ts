/**
 * Client filters compile once and are reused across requests (docs/api.md §4.7 and
 * docs/architecture.md §3): what a reused filter selects must still follow each request's
 * headers, signed-in record and the current schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord, uniqueName } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let admin: string;
const names = { teams: uniqueName('fc_teams'), tasks: uniqueName('fc_tasks') };

/** The `k` values a list answers (sorted), or the status when it is not 200. */
async function keys(collection: string, filter: string, options: { token?: string; headers?: Record<string, string> } = {}): Promise<string[] | number> {
  const qs = new URLSearchParams({ filter, perPage: '100', sort: 'k' }).toString();
  const r = await s.request('GET', `/api/collections/${collection}/records?${qs}`, options);
  return r.status === 200 ? r.body.items.map((i: { k: string }) => i.k) : r.status;
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  // Teams are listed only to a request that names their code in a header, and their
  // `budget` is readable only with the header `x-budget: yes`.
  const teams = await createCollection(s, admin, {
    name: names.teams, listRule: 'code = @request.headers.x_team', viewRule: '',
    fields: [{ name: 'code', type: 'text' }, { name: 'budget', type: 'number', readRule: '@request.headers.x_budget = "yes"' }],
  });
  await createCollection(s, admin, {
    name: names.tasks, listRule: '', viewRule: '',
    fields: [{ name: 'k', type: 'text' }, { name: 'team', type: 'relation', collectionId: teams.id, maxSelect: 1 }],
  });
  const red = await createRecord(s, admin, names.teams, { code: 'red', budget: 5 });
  const blue = await createRecord(s, admin, names.teams, { code: 'blue', budget: 50 });
  await createRecord(s, admin, names.tasks, { k: 't1', team: red });
  await createRecord(s, admin, names.tasks, { k: 't2', team: blue });
});

afterAll(async () => {
  await s?.close();
});

describe('a reused client filter', () => {
  it('applies the listRule of a joined collection with each request headers', async () => {
    const filter = "team.code != ''";
    expect(await keys(names.tasks, filter, { headers: { 'x-team': 'red' } })).toEqual(['t1']);
    expect(await keys(names.tasks, filter, { headers: { 'x-team': 'blue' } })).toEqual(['t2']);
    expect(await keys(names.tasks, filter)).toEqual([]);
  });

  it("applies a field's readRule with each request headers", async () => {
    const filter = 'team.budget > 1';
    const both = { 'x-team': 'red', 'x-budget': 'yes' };
    expect(await keys(names.tasks, filter, { headers: both })).toEqual(['t1']);
    expect(await keys(names.tasks, filter, { headers: { 'x-team': 'red', 'x-budget': 'no' } })).toEqual([]);
    expect(await keys(names.tasks, filter, { headers: both })).toEqual(['t1']);
  });

  it('gives the same answer to a superuser and then to a guest as each alone', async () => {
    const filter = "team.code = 'blue'";
    expect(await keys(names.tasks, filter, { token: admin })).toEqual(['t2']);
    expect(await keys(names.tasks, filter)).toEqual([]);
    expect(await keys(names.tasks, filter, { headers: { 'x-team': 'blue' } })).toEqual(['t2']);
  });

  it('follows a schema change: a removed field is refused, a new one is found', async () => {
    const filter = "k = 't1'";
    expect(await keys(names.tasks, filter)).toEqual(['t1']);
    const tasks = await s.request('GET', `/api/collections/${names.tasks}`, { token: admin });
    const fields = tasks.body.fields.map((f: { name: string }) => (f.name === 'k' ? { ...f, name: 'key' } : f));
    const renamed = await s.request('PATCH', `/api/collections/${names.tasks}`, { token: admin, body: { fields } });
    expect(renamed.status).toBe(200);
    expect(await keys(names.tasks, filter)).toBe(400);
    const r = await s.request('GET', `/api/collections/${names.tasks}/records?${new URLSearchParams({ filter: "key = 't1'" })}`);
    expect(r.body.items.map((i: { key: string }) => i.key)).toEqual(['t1']);
  });
});
