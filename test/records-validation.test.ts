/**
 * Field normalisation and validation through the records API (docs/api.md §2.5, §1.5,
 * §3.3, §3.4): per-type codes and params, custom ids, modifiers, autodate,
 * unknown and hidden keys. Every refused write leaves the stored state unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, readRecord, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let admin: string;
let name: string;
let base: string;
let target: string;
let targetRecord: any;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.adminToken();
  target = uniqueName('target');
  const t = await createCollection(s, { name: target, listRule: '', viewRule: '', fields: [{ name: 'label', type: 'text' }] });
  targetRecord = await createRecord(s, target, { label: 'one' });
  name = uniqueName('kinds');
  base = `/api/collections/${name}/records`;
  await createCollection(s, {
    name, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [
      { name: 'title', type: 'text', required: true, min: 3, max: 10 },
      { name: 'code', type: 'text', pattern: '^[A-Z]+$' },
      { name: 'n', type: 'number', onlyInt: true, min: 2, max: 100 },
      { name: 'f', type: 'number' },
      { name: 'flag', type: 'bool' },
      { name: 'mail', type: 'email' },
      { name: 'site', type: 'url' },
      { name: 'one', type: 'select', values: ['a', 'b', 'c'], maxSelect: 1 },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 2 },
      { name: 'rel', type: 'relation', collectionId: t.id, maxSelect: 1 },
      { name: 'rels', type: 'relation', collectionId: t.id, maxSelect: 5 },
      { name: 'meta', type: 'json', maxSize: 30 },
      { name: 'when', type: 'date' },
      { name: 'geo', type: 'geoPoint' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
  });
});
afterAll(async () => { await s?.close(); });

/** A valid body to which each case adds one bad key. */
const valid = { title: 'valid' };

describe('create validation per field type', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; field: string; error: Record<string, unknown> }> = [
    { name: 'required text missing', body: { title: '' }, field: 'title', error: { code: 'validation_required', message: 'Cannot be blank.' } },
    { name: 'text too short', body: { title: 'ab' }, field: 'title', error: { code: 'validation_min_text_constraint', message: 'Must be at least 3 character(s).', params: { min: 3 } } },
    { name: 'text too long', body: { title: 'abcdefghijk' }, field: 'title', error: { code: 'validation_max_text_constraint', message: 'Must be no more than 10 character(s).', params: { max: 10 } } },
    { name: 'text pattern', body: { ...valid, code: 'abc' }, field: 'code', error: { code: 'validation_invalid_format' } },
    { name: 'number not int', body: { ...valid, n: 2.5 }, field: 'n', error: { code: 'validation_only_int_constraint' } },
    { name: 'number below min', body: { ...valid, n: 1 }, field: 'n', error: { code: 'validation_min_number_constraint', message: 'Must be greater or equal than 2.', params: { min: 2 } } },
    { name: 'number above max', body: { ...valid, n: 101 }, field: 'n', error: { code: 'validation_max_number_constraint', params: { max: 100 } } },
    { name: 'email', body: { ...valid, mail: 'not-an-email' }, field: 'mail', error: { code: 'validation_is_email', message: 'Must be a valid email address.' } },
    { name: 'url', body: { ...valid, site: 'nope' }, field: 'site', error: { code: 'validation_invalid_url', message: 'Must be a valid url.' } },
    { name: 'select value', body: { ...valid, one: 'z' }, field: 'one', error: { code: 'validation_invalid_value', message: 'Invalid value z.', params: { value: 'z' } } },
    { name: 'select too many', body: { ...valid, tags: ['a', 'b', 'c'] }, field: 'tags', error: { code: 'validation_too_many_values', message: 'Select no more than 2.', params: { maxSelect: 2 } } },
    { name: 'relation missing', body: { ...valid, rel: 'missingmissing1' }, field: 'rel', error: { code: 'validation_missing_rel_records' } },
    { name: 'multi relation one missing', body: { ...valid, rels: ['missingmissing1'] }, field: 'rels', error: { code: 'validation_missing_rel_records' } },
    { name: 'json too big', body: { ...valid, meta: { text: 'x'.repeat(40) } }, field: 'meta', error: { code: 'validation_json_size_limit', params: { maxSize: 30 } } },
    { name: 'latitude', body: { ...valid, geo: { lon: 10, lat: 91 } }, field: 'geo', error: { code: 'validation_invalid_latitude' } },
    { name: 'longitude', body: { ...valid, geo: { lon: -181, lat: 0 } }, field: 'geo', error: { code: 'validation_invalid_longitude' } },
    { name: 'bad id pattern', body: { ...valid, id: 'ABC_def_ghi_jkl' }, field: 'id', error: { code: 'validation_invalid_format' } },
    { name: 'short id', body: { ...valid, id: 'abc' }, field: 'id', error: { code: 'validation_min_text_constraint', params: { min: 15 } } },
  ];
  for (const c of cases) {
    it(`${c.name} → 400 ${String(c.error.code)}`, async () => {
      const before = await allRecords(s, name);
      const r = await s.request('POST', base, { body: c.body });
      expect(r.status, r.text).toBe(400);
      expect(r.body.message).toBe('Failed to create record.');
      expect(r.body.data[c.field]).toMatchObject(c.error);
      if (!('params' in c.error)) expect(r.body.data[c.field]).not.toHaveProperty('params');
      expect(await allRecords(s, name)).toEqual(before);
    });
  }

  it('normalises values and fills defaults on create', async () => {
    const r = await s.request('POST', base, {
      body: {
        title: 12345, n: '7', f: '1.5', flag: 'true', one: ['a', 'b'], tags: ['b', 'b', 'a'], rel: targetRecord.id, rels: targetRecord.id,
        meta: '{"a":1}', when: '2024-05-01T10:20:30+02:00', geo: { lon: 23.3, lat: 42.7 }, nonsense: 'ignored',
        created: '2000-01-01 00:00:00.000Z', updated: '2000-01-01 00:00:00.000Z',
      },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({
      collectionName: name, title: '12345', n: 7, f: 1.5, flag: true, one: 'b', tags: ['b', 'a'], rel: targetRecord.id, rels: [targetRecord.id],
      meta: { a: 1 }, when: '2024-05-01 08:20:30.000Z', geo: { lon: 23.3, lat: 42.7 }, code: '', mail: '', site: '',
    });
    expect(r.body.id).toMatch(/^[a-z0-9]{15}$/);
    expect(r.body).not.toHaveProperty('nonsense');
    expect(r.body.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(r.body.created).not.toBe('2000-01-01 00:00:00.000Z');
    expect(r.body.updated).toBe(r.body.created);
    const d = await s.request('POST', base, { body: { title: 'dates', when: '2024-05-01' } });
    expect(d.body.when).toBe('2024-05-01 00:00:00.000Z');
    const bad = await s.request('POST', base, { body: { title: 'dates', when: 'garbage' } });
    expect(bad.status, bad.text).toBe(200);
    expect(bad.body.when).toBe('');
    const empty = await s.request('POST', base, { body: { title: 'empty' } });
    expect(empty.body).toMatchObject({ n: 0, f: 0, flag: false, one: '', tags: [], rel: '', rels: [], meta: null, when: '', geo: { lon: 0, lat: 0 } });
  });

  it('accepts a valid custom id and rejects a duplicate', async () => {
    const id = 'customid0000001';
    const ok = await s.request('POST', base, { body: { ...valid, id } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.id).toBe(id);
    const before = await allRecords(s, name);
    const dup = await s.request('POST', base, { body: { title: 'other', id } });
    expect(dup.status, dup.text).toBe(400);
    expect(dup.body.message).toBe('Failed to create record.');
    expect(dup.body.data.id).toMatchObject({ code: 'validation_pk_invalid' });
    expect(await allRecords(s, name)).toEqual(before);
  });
});

describe('update validation and modifiers', () => {
  it('refuses an id change, keeps the record and refreshes onUpdate autodates', async () => {
    const rec = await createRecord(s, name, { title: 'orig', n: 5 });
    const change = await s.request('PATCH', `${base}/${rec.id}`, { body: { id: 'otherid00000001', title: 'changed' } });
    expect(change.status, change.text).toBe(400);
    expect(change.body).toMatchObject({ message: 'Failed to update record.', data: { id: { code: 'validation_pk_change' } } });
    expect((await readRecord(s, name, rec.id)).title).toBe('orig');
    expect(await readRecord(s, name, 'otherid00000001')).toBeUndefined();
    const bad = await s.request('PATCH', `${base}/${rec.id}`, { body: { title: 'ok title', n: 1000 } });
    expect(bad.status).toBe(400);
    expect(bad.body.data).toEqual({ n: expect.objectContaining({ code: 'validation_max_number_constraint' }) });
    const stored = await readRecord(s, name, rec.id);
    expect(stored).toMatchObject({ title: 'orig', n: 5, updated: rec.updated });
    await new Promise((r) => setTimeout(r, 5));
    const ok = await s.request('PATCH', `${base}/${rec.id}`, { body: { title: 'fine', created: '2000-01-01 00:00:00.000Z', updated: '2000-01-01 00:00:00.000Z' } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.created).toBe(rec.created);
    expect(ok.body.updated).not.toBe(rec.updated);
    expect(ok.body.updated > rec.updated).toBe(true);
    // Only submitted keys change.
    expect(ok.body).toMatchObject({ title: 'fine', n: 5 });
  });

  it('resolves modifiers against the stored value, shorter keys first', async () => {
    const rec = await createRecord(s, name, { title: 'mods', n: 10, tags: ['a'], rels: [targetRecord.id] });
    const extra = await createRecord(s, target, { label: 'two' });
    const steps: Array<{ body: Record<string, unknown>; expect: Record<string, unknown> }> = [
      { body: { 'n+': 5 }, expect: { n: 15 } },
      { body: { 'n-': 3 }, expect: { n: 12 } },
      { body: { n: 3, 'n+': 5 }, expect: { n: 8 } },
      { body: { 'tags+': 'b' }, expect: { tags: ['a', 'b'] } },
      { body: { 'tags-': 'a' }, expect: { tags: ['b'] } },
      { body: { '+tags': 'c' }, expect: { tags: ['c', 'b'] } },
      { body: { 'tags-': ['b', 'c'] }, expect: { tags: [] } },
      { body: { 'rels+': extra.id }, expect: { rels: [targetRecord.id, extra.id] } },
      { body: { 'rels-': targetRecord.id }, expect: { rels: [extra.id] } },
      { body: { 'one+': 'a' }, expect: { one: 'a' } },
      { body: { 'one+': 'c' }, expect: { one: 'c' } },
    ];
    for (const step of steps) {
      const r = await s.request('PATCH', `${base}/${rec.id}`, { body: step.body });
      expect(r.status, `${JSON.stringify(step.body)}: ${r.text}`).toBe(200);
      expect(r.body, JSON.stringify(step.body)).toMatchObject(step.expect);
    }
    const created = await s.request('POST', base, { body: { title: 'newmods', n: 1, 'n+': 5 } });
    expect(created.status, created.text).toBe(200);
    expect(created.body.n).toBe(6);
    const tooMany = await s.request('PATCH', `${base}/${rec.id}`, { body: { 'tags+': ['a', 'b', 'c'] } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.data.tags.code).toBe('validation_too_many_values');
    expect((await readRecord(s, name, rec.id)).tags).toEqual([]);
  });
});

describe('hidden fields', () => {
  it('are dropped from guest bodies, hidden from guests and shown to superusers', async () => {
    const guest = await s.request('POST', base, { body: { title: 'hid', secret: 'guest-set' } });
    expect(guest.status, guest.text).toBe(200);
    expect(guest.body).not.toHaveProperty('secret');
    expect((await readRecord(s, name, guest.body.id)).secret).toBe('');
    const upd = await s.request('PATCH', `${base}/${guest.body.id}`, { body: { secret: 'guest-set' } });
    expect(upd.status, upd.text).toBe(200);
    expect((await readRecord(s, name, guest.body.id)).secret).toBe('');
    const sup = await s.request('PATCH', `${base}/${guest.body.id}`, { token: admin, body: { secret: 'admin-set' } });
    expect(sup.body.secret).toBe('admin-set');
    const view = await s.request('GET', `${base}/${guest.body.id}`);
    expect(view.body).not.toHaveProperty('secret');
  });
});
