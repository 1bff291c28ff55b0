/**
 * PocketBase behaviours the SDK and dashboard rely on (issue 11): excerpts end with
 * three ASCII dots, quoted filter text decodes the escapes pb.filter() writes, deep
 * parentheses parse, a lone surrogate is answered as it is stored, and a body nested
 * past the JSON depth bound is a 400, not a stack overflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type PocketBase from 'pocketbase';
import { MAX_JSON_DEPTH } from '../src/http/json-body.js';
import { uniqueName } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

let s: TestServer;
let pb: PocketBase;
let admin: string;
let posts: string;

/** `{"k":{"k":…}}` with `depth` objects, the innermost holding `leaf`. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { k: value };
  return value;
}

beforeAll(async () => {
  s = await startTestServer();
  pb = await s.admin();
  admin = await s.adminToken();
  posts = uniqueName('posts');
  await pb.collections.create({
    name: posts, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'data', type: 'json' }],
  });
});
afterAll(async () => { await s?.close(); });

describe('the excerpt modifier', () => {
  it('ends a cut excerpt with three ASCII dots, as PocketBase', async () => {
    const r = await pb.collection(posts).create({ title: 'Hello wonderful world' });
    const got = await pb.collection(posts).getOne(r.id, { fields: '*,title:excerpt(5,true)' });
    expect(got.title).toBe('Hello...');
    expect(got.id).toBe(r.id);
  });
});

describe('quoted text in filters', () => {
  const values = [
    'back\\slash', 'ends with a backslash\\', 'say "hi"', "it's", 'line\nbreak', 'cr\rtab\t', 'emoji 😀',
    '\\n is two characters', 'quote-backslash \'"\\', '\\u0041 as written',
  ];

  it.each(values)('pb.filter() binds %j to exactly the record that holds it', async (value) => {
    const created = await pb.collection(posts).create({ title: value });
    const found = await pb.collection(posts).getFullList({ filter: pb.filter('title = {:v}', { v: value }) });
    expect(found.map((r) => r.id)).toEqual([created.id]);
    expect(found[0]!.title).toBe(value);
  });

  it.each([
    ['\\u0041\\u00e9\\ud83d\\ude00', 'Aé😀'],
    ["single \\' and double \\\"", 'single \' and double "'],
    ['unknown \\q and short \\u12 stay', 'unknown \\q and short \\u12 stay'],
  ])('decodes %j as fexpr does', async (quoted, stored) => {
    const created = await pb.collection(posts).create({ title: stored });
    const found = await pb.collection(posts).getFullList({ filter: `title = '${quoted}'` });
    expect(found.map((r) => r.id)).toEqual([created.id]);
  });
});

describe('parentheses in filters', () => {
  it('answers 200 for a filter nested 50 deep, and for the deepest that 3,500 characters allow', async () => {
    const created = await pb.collection(posts).create({ title: 'deep' });
    for (const depth of [50, 1743]) {
      const filter = `${'('.repeat(depth)}title = "deep"${')'.repeat(depth)}`;
      const r = await s.request('GET', `/api/collections/${posts}/records?filter=${encodeURIComponent(filter)}`);
      expect(r.status, `${depth}: ${r.text.slice(0, 200)}`).toBe(200);
      expect(r.body.items.map((x: { id: string }) => x.id)).toEqual([created.id]);
    }
  });
});

describe('a lone UTF-16 surrogate in a JSON body', () => {
  it('is stored and answered as U+FFFD, in values and keys', async () => {
    const text = '{"title":"a\\ud83db","data":{"k\\udc00":["\\ud83d"]}}';
    const created = await s.request('POST', `/api/collections/${posts}/records`, { body: text });
    expect(created.status, created.text).toBe(200);
    expect(created.body.title).toBe('a\ufffdb');
    expect(created.body.data).toEqual({ 'k\ufffd': ['\ufffd'] });
    const read = await s.request('GET', `/api/collections/${posts}/records/${created.body.id}`);
    expect(read.body.title).toBe(created.body.title);
    expect(read.body.data).toEqual(created.body.data);
  });
});

describe('JSON nesting in request bodies', () => {
  it('answers 400 for a collection field nested 3,000 levels deep', async () => {
    const body = { name: uniqueName('deep'), fields: [{ name: 'title', type: 'text', extra: nested(3000) }] };
    const r = await s.request('POST', '/api/collections', { token: admin, body });
    expect(r.status, r.text.slice(0, 200)).toBe(400);
    expect(r.body.message).toMatch(/nested deeper than/);
  });

  it('answers 400 for a record body nested past the bound and stores one at the bound', async () => {
    const over = await s.request('POST', `/api/collections/${posts}/records`, { body: { data: nested(MAX_JSON_DEPTH) } });
    expect(over.status, over.text.slice(0, 200)).toBe(400);
    const at = await s.request('POST', `/api/collections/${posts}/records`, { body: { data: nested(MAX_JSON_DEPTH - 1) } });
    expect(at.status, at.text.slice(0, 200)).toBe(200);
    expect(at.body.data).toEqual(nested(MAX_JSON_DEPTH - 1));
  });
});
