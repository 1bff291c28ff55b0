/**
 * The rule table of docs/api.md §3.9 for list, view, create, update and delete: null
 * rules, unsatisfied rules, `""` rules for guests, `@request.auth.id` owner
 * rules, createRule on the would-be record and `@request.body`, updateRule on
 * the stored record. Every refused write leaves the stored state unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, makeUser as makeScenarioUser, readRecord, runScenarios, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
let alice: { id: string; token: string };
let bob: { id: string; token: string };

const LOCKED = { status: 403, message: 'Only superusers can perform this action.', data: {} };
const NOT_FOUND = { status: 404, message: "The requested resource wasn't found.", data: {} };
const CREATE_FAILED = { status: 400, message: 'Failed to create record.', data: {} };

function makeUser(email: string): Promise<{ id: string; token: string }> {
  return makeScenarioUser(s, email);
}

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  alice = await makeUser('alice@example.com');
  bob = await makeUser('bob@example.com');
});
afterAll(async () => { await s?.close(); });

describe('null rules (locked)', () => {
  it('answer 403 to everyone but superusers, even for missing records, and change nothing', async () => {
    const name = uniqueName('locked');
    await createCollection(s, { name, fields: [{ name: 'title', type: 'text' }] });
    const rec = await createRecord(s, name, { title: 'keep' });
    const base = `/api/collections/${name}/records`;
    const rows = [];
    for (const [who, token] of [['guest', undefined], ['alice', alice.token]] as const) {
      rows.push(
        { name: `${who} list`, method: 'GET', url: base, token, status: 403, expect: LOCKED },
        { name: `${who} view`, method: 'GET', url: `${base}/${rec.id}`, token, status: 403, expect: LOCKED },
        { name: `${who} view missing`, method: 'GET', url: `${base}/missingmissing1`, token, status: 403, expect: LOCKED },
        { name: `${who} create`, method: 'POST', url: base, token, body: { title: 'new' }, status: 403, expect: LOCKED },
        { name: `${who} update`, method: 'PATCH', url: `${base}/${rec.id}`, token, body: { title: 'changed' }, status: 403, expect: LOCKED },
        { name: `${who} update missing`, method: 'PATCH', url: `${base}/missingmissing1`, token, body: { title: 'x' }, status: 403, expect: LOCKED },
        { name: `${who} delete`, method: 'DELETE', url: `${base}/${rec.id}`, token, status: 403, expect: LOCKED },
        { name: `${who} delete missing`, method: 'DELETE', url: `${base}/missingmissing1`, token, status: 403, expect: LOCKED },
      );
    }
    rows.push(
      { name: 'superuser view', method: 'GET', url: `${base}/${rec.id}`, token: admin, status: 200, expect: { title: 'keep' } },
      { name: 'superuser view missing', method: 'GET', url: `${base}/missingmissing1`, token: admin, status: 404, expect: NOT_FOUND },
    );
    await runScenarios(s, rows);
    expect((await allRecords(s, name)).map((r) => r.title)).toEqual(['keep']);
  });
});

describe('empty rules', () => {
  it('let guests do everything', async () => {
    const name = uniqueName('open');
    await createCollection(s, { name, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '', fields: [{ name: 'title', type: 'text' }] });
    const base = `/api/collections/${name}/records`;
    const c = await s.request('POST', base, { body: { title: 'g' } });
    expect(c.status, c.text).toBe(200);
    await runScenarios(s, [
      { name: 'list', method: 'GET', url: base, status: 200, expect: { totalItems: 1 } },
      { name: 'view', method: 'GET', url: `${base}/${c.body.id}`, status: 200, expect: { title: 'g' } },
      { name: 'view missing', method: 'GET', url: `${base}/missingmissing1`, status: 404, expect: NOT_FOUND },
      { name: 'update', method: 'PATCH', url: `${base}/${c.body.id}`, body: { title: 'h' }, status: 200, expect: { title: 'h' } },
      { name: 'update missing', method: 'PATCH', url: `${base}/missingmissing1`, body: { title: 'h' }, status: 404, expect: NOT_FOUND },
      { name: 'delete', method: 'DELETE', url: `${base}/${c.body.id}`, status: 204 },
      { name: 'delete again', method: 'DELETE', url: `${base}/${c.body.id}`, status: 404, expect: NOT_FOUND },
    ]);
  });
});

describe('owner rules with @request.auth.id', () => {
  let name: string;
  let mine: any;
  let theirs: any;
  beforeAll(async () => {
    name = uniqueName('notes');
    const users = (await s.request('GET', '/api/collections/users', { token: admin })).body;
    const owner = 'owner = @request.auth.id';
    await createCollection(s, {
      name, listRule: owner, viewRule: owner, createRule: `@request.auth.id != '' && ${owner}`, updateRule: owner, deleteRule: owner,
      fields: [{ name: 'text', type: 'text' }, { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 }],
    });
    mine = await createRecord(s, name, { text: 'alice note', owner: alice.id });
    theirs = await createRecord(s, name, { text: 'bob note', owner: bob.id });
  });

  it('filters lists, hides others\' records as 404 and refuses writes without changes', async () => {
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'alice list', method: 'GET', url: base, token: alice.token, status: 200, expect: { totalItems: 1, items: [{ id: mine.id }] } },
      { name: 'guest list', method: 'GET', url: base, status: 200, expect: { totalItems: 0, items: [] } },
      { name: 'alice view own', method: 'GET', url: `${base}/${mine.id}`, token: alice.token, status: 200, expect: { text: 'alice note' } },
      { name: 'alice view bob', method: 'GET', url: `${base}/${theirs.id}`, token: alice.token, status: 404, expect: NOT_FOUND },
      { name: 'guest view', method: 'GET', url: `${base}/${mine.id}`, status: 404, expect: NOT_FOUND },
      { name: 'alice update bob', method: 'PATCH', url: `${base}/${theirs.id}`, token: alice.token, body: { text: 'hacked' }, status: 404, expect: NOT_FOUND },
      { name: 'alice delete bob', method: 'DELETE', url: `${base}/${theirs.id}`, token: alice.token, status: 404, expect: NOT_FOUND },
      { name: 'guest update', method: 'PATCH', url: `${base}/${mine.id}`, body: { text: 'hacked' }, status: 404, expect: NOT_FOUND },
      { name: 'alice create for bob', method: 'POST', url: base, token: alice.token, body: { text: 'x', owner: bob.id }, status: 400, expect: CREATE_FAILED },
      { name: 'guest create', method: 'POST', url: base, body: { text: 'x', owner: alice.id }, status: 400, expect: CREATE_FAILED },
      // updateRule is evaluated on the stored record: moving her note to bob passes the rule.
      { name: 'alice update own', method: 'PATCH', url: `${base}/${mine.id}`, token: alice.token, body: { text: 'edited' }, status: 200, expect: { text: 'edited' } },
    ]);
    const after = await allRecords(s, name);
    expect(after.map((r) => [r.text, r.owner])).toEqual([['edited', alice.id], ['bob note', bob.id]]);
    const created = await s.request('POST', base, { token: alice.token, body: { text: 'new', owner: alice.id } });
    expect(created.status, created.text).toBe(200);
    const del = await s.request('DELETE', `${base}/${created.body.id}`, { token: alice.token });
    expect(del.status).toBe(204);
    expect(await readRecord(s, name, created.body.id)).toBeUndefined();
  });

  it('evaluates updateRule against the stored record, not the submitted one', async () => {
    const base = `/api/collections/${name}/records`;
    const handover = await createRecord(s, name, { text: 'handover', owner: alice.id });
    // Bob may not claim alice's record even though the new value would satisfy the rule.
    const claim = await s.request('PATCH', `${base}/${handover.id}`, { token: bob.token, body: { owner: bob.id } });
    expect(claim.status, claim.text).toBe(404);
    expect((await readRecord(s, name, handover.id)).owner).toBe(alice.id);
    // Alice may hand it to bob: the stored record is hers.
    const give = await s.request('PATCH', `${base}/${handover.id}`, { token: alice.token, body: { owner: bob.id } });
    expect(give.status, give.text).toBe(200);
    expect((await readRecord(s, name, handover.id)).owner).toBe(bob.id);
  });
});

describe('createRule and updateRule with fields and @request.body', () => {
  it('checks the would-be record and the normalised body', async () => {
    const name = uniqueName('gated');
    await createCollection(s, {
      name, listRule: '', viewRule: '',
      createRule: "status = 'draft' && n > 2 && @request.body.title:isset = true",
      updateRule: "status = 'draft' && @request.body.status != 'archived'",
      fields: [{ name: 'title', type: 'text' }, { name: 'status', type: 'text' }, { name: 'n', type: 'number' }],
    });
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'wrong status', method: 'POST', url: base, body: { title: 't', status: 'pub', n: 5 }, status: 400, expect: CREATE_FAILED },
      { name: 'n too small', method: 'POST', url: base, body: { title: 't', status: 'draft', n: 1 }, status: 400, expect: CREATE_FAILED },
      { name: 'title missing from body', method: 'POST', url: base, body: { status: 'draft', n: 5 }, status: 400, expect: CREATE_FAILED },
      { name: 'modifier resolved before rule', method: 'POST', url: base, body: { title: 't', status: 'draft', 'n+': 3 }, status: 200, expect: { n: 3 } },
      { name: 'string number normalised', method: 'POST', url: base, body: { title: 't2', status: 'draft', n: '7' }, status: 200, expect: { n: 7 } },
    ]);
    const [first, second] = await allRecords(s, name);
    expect([first.title, second.title]).toEqual(['t', 't2']);
    const archive = await s.request('PATCH', `${base}/${first.id}`, { body: { status: 'archived' } });
    expect(archive.status, archive.text).toBe(404);
    const publish = await s.request('PATCH', `${base}/${first.id}`, { body: { status: 'pub' } });
    expect(publish.status, publish.text).toBe(200);
    // Stored status is now 'pub': the updateRule no longer matches.
    const again = await s.request('PATCH', `${base}/${first.id}`, { body: { status: 'draft' } });
    expect(again.status, again.text).toBe(404);
    expect((await readRecord(s, name, first.id)).status).toBe('pub');
    expect((await allRecords(s, name)).length).toBe(2);
  });

  it('lets a createRule traverse a submitted relation', async () => {
    const teams = uniqueName('team');
    const t = await createCollection(s, { name: teams, fields: [{ name: 'open', type: 'bool' }] });
    const name = uniqueName('member');
    await createCollection(s, { name, createRule: 'team.open = true', fields: [{ name: 'team', type: 'relation', collectionId: t.id, maxSelect: 1 }] });
    const open = await createRecord(s, teams, { open: true });
    const closed = await createRecord(s, teams, { open: false });
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'closed team', method: 'POST', url: base, body: { team: closed.id }, status: 400, expect: CREATE_FAILED },
      { name: 'open team', method: 'POST', url: base, body: { team: open.id }, status: 200, expect: { team: open.id } },
    ]);
    expect((await allRecords(s, name)).length).toBe(1);
  });

  it('reads a key that names no field as sent, and stores it nowhere, as PocketBase does', async () => {
    const name = uniqueName('terms');
    await createCollection(s, {
      name, listRule: '', viewRule: '',
      createRule: "@request.body.terms = true && @request.body.plan.tier = 'pro'",
      updateRule: '@request.body.reason:isset = true',
      fields: [{ name: 'title', type: 'text' }],
    });
    const base = `/api/collections/${name}/records`;
    await runScenarios(s, [
      { name: 'no terms', method: 'POST', url: base, body: { title: 'a', plan: { tier: 'pro' } }, status: 400, expect: CREATE_FAILED },
      { name: 'terms refused', method: 'POST', url: base, body: { title: 'a', terms: false, plan: { tier: 'pro' } }, status: 400, expect: CREATE_FAILED },
      { name: 'another tier', method: 'POST', url: base, body: { title: 'a', terms: true, plan: { tier: 'free' } }, status: 400, expect: CREATE_FAILED },
      { name: 'terms and tier', method: 'POST', url: base, body: { title: 'a', terms: true, plan: { tier: 'pro' } }, status: 200, expect: { title: 'a' } },
    ]);
    const [created] = await allRecords(s, name);
    expect(created).not.toHaveProperty('terms');
    expect(created).not.toHaveProperty('plan');
    expect((await s.request('PATCH', `${base}/${created.id}`, { body: { title: 'b' } })).status).toBe(404);
    const updated = await s.request('PATCH', `${base}/${created.id}`, { body: { title: 'b', reason: 'typo' } });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).not.toHaveProperty('reason');
  });
});

describe('createRule of request values only (no row read)', () => {
  it('judges each requester and each body afresh however often the same rule runs', async () => {
    const name = uniqueName('reqonly');
    await createCollection(s, {
      name, listRule: '', viewRule: '',
      createRule: "@request.auth.id != '' && @request.auth.id != '" + bob.id + "' && @request.body.kind != 'bad'",
      fields: [{ name: 'kind', type: 'text' }],
    });
    const base = `/api/collections/${name}/records`;
    const rows = [];
    // Twice over, interleaved: a verdict remembered for one requester or body must not answer another.
    for (const round of [1, 2]) {
      rows.push(
        { name: `alice ${round}`, method: 'POST', url: base, token: alice.token, body: { kind: 'ok' }, status: 200, expect: { kind: 'ok' } },
        { name: `guest ${round}`, method: 'POST', url: base, body: { kind: 'ok' }, status: 400, expect: CREATE_FAILED },
        { name: `bob ${round}`, method: 'POST', url: base, token: bob.token, body: { kind: 'ok' }, status: 400, expect: CREATE_FAILED },
        { name: `alice bad body ${round}`, method: 'POST', url: base, token: alice.token, body: { kind: 'bad' }, status: 400, expect: CREATE_FAILED },
      );
    }
    await runScenarios(s, rows);
    expect((await allRecords(s, name)).map((r) => r.kind)).toEqual(['ok', 'ok']);
  });
});
