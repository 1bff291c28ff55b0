/**
 * Record bodies (docs/api.md §1.1) and the fields picker on records (docs/api.md §1.8):
 * multipart without files with inference and `@jsonPayload`, urlencoded,
 * non-object JSON, and `fields=` with expand paths and `:excerpt`.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { allRecords, createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let name: string;
let base: string;
beforeAll(async () => {
  s = await startTestServer();
  name = uniqueName('forms');
  base = `/api/collections/${name}/records`;
  await createCollection(s, {
    name, listRule: '', viewRule: '', createRule: '', updateRule: '',
    fields: [
      { name: 'title', type: 'text' }, { name: 'n', type: 'number' }, { name: 'flag', type: 'bool' },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 }, { name: 'meta', type: 'json' },
      { name: 'body', type: 'editor' },
    ],
  });
});
afterAll(async () => { await s?.close(); });

async function post(body: FormData | URLSearchParams | string, url = base, method = 'POST', headers: Record<string, string> = {}) {
  const res = await fetch(s.url + url, { method, body, headers });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

describe('multipart and urlencoded bodies', () => {
  it('infers values and merges @jsonPayload without inference', async () => {
    const form = new FormData();
    form.append('title', '012');
    form.append('n', '12');
    form.append('flag', 'true');
    form.append('tags', 'a');
    form.append('tags', 'b');
    form.append('meta', '1.0');
    const r = await post(form);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ title: '012', n: 12, flag: true, tags: ['a', 'b'], meta: 1 });

    // "12" as title: inferred to the number 12, then normalised back to the text "12".
    const inferredTitle = new FormData();
    inferredTitle.append('title', '12');
    inferredTitle.append('@jsonPayload', JSON.stringify({ meta: '012', tags: ['c'] }));
    inferredTitle.append('@jsonPayload', JSON.stringify({ n: 5 }));
    const p = await post(inferredTitle);
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({ title: '12', meta: '012', tags: ['c'], n: 5 });

    // A JSON field sees the inferred value: "true" becomes JSON true, "012" stays a string.
    const jsonInference = new FormData();
    jsonInference.append('meta', 'true');
    expect((await post(jsonInference)).body.meta).toBe(true);

    const upd = new FormData();
    upd.append('n+', '3');
    const u = await post(upd, `${base}/${p.body.id}`, 'PATCH');
    expect(u.status, u.text).toBe(200);
    expect(u.body.n).toBe(8);

    const bad = new FormData();
    bad.append('@jsonPayload', '[1,2]');
    const before = await allRecords(s, name);
    expect((await post(bad)).status).toBe(400);
    expect(await allRecords(s, name)).toEqual(before);
  });

  it('accepts urlencoded bodies with the same inference', async () => {
    const r = await post(new URLSearchParams([['title', 'hello'], ['n', '-1.5'], ['flag', 'false'], ['tags', 'c'], ['tags', 'a']]), base, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ title: 'hello', n: -1.5, flag: false, tags: ['c', 'a'] });
  });

  it('rejects non-object JSON and unsupported content types without writing', async () => {
    const before = await allRecords(s, name);
    for (const body of ['[1,2]', '"text"', '12', 'null', '{bad json']) {
      const r = await s.request('POST', base, { body });
      expect(r.status, `${body}: ${r.text}`).toBe(400);
      expect(r.body).toMatchObject({ status: 400, data: {} });
    }
    const xml = await s.request('POST', base, { body: 'title=x', headers: { 'Content-Type': 'text/plain' } });
    expect(xml.status).toBe(400);
    expect(xml.body.message).toBe('Unsupported Content-Type.');
    expect(await allRecords(s, name)).toEqual(before);
    const empty = await s.request('POST', base, { body: '' , headers: { 'Content-Type': 'application/json' } });
    expect(empty.status, empty.text).toBe(200);
  });
});

describe('fields picker on records', () => {
  it('picks keys, expand paths and excerpts on view and list', async () => {
    const authors = uniqueName('pauth');
    const a = await createCollection(s, { name: authors, listRule: '', viewRule: '', fields: [{ name: 'name', type: 'text' }, { name: 'age', type: 'number' }] });
    const postsName = uniqueName('pposts');
    await createCollection(s, {
      name: postsName, listRule: '', viewRule: '', createRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'body', type: 'editor' }, { name: 'author', type: 'relation', collectionId: a.id, maxSelect: 1 }],
    });
    const amy = await createRecord(s, authors, { name: 'Amy', age: 30 });
    const p = await createRecord(s, postsName, { title: 'T', body: '<p>Hello   <b>wonderful</b> world of things</p>', author: amy.id });
    const url = `/api/collections/${postsName}/records`;
    const view = await s.request('GET', `${url}/${p.id}?expand=author&fields=id,title,expand.author.name`);
    expect(view.status, view.text).toBe(200);
    expect(view.body).toEqual({ id: p.id, title: 'T', expand: { author: { name: 'Amy' } } });
    const list = await s.request('GET', `${url}?expand=author&fields=${encodeURIComponent('body:excerpt(10,true),expand.author.*')}`);
    expect(list.status, list.text).toBe(200);
    expect(list.body).toMatchObject({ page: 1, perPage: 30, totalItems: 1, totalPages: 1 });
    expect(Object.keys(list.body.items[0]).sort()).toEqual(['body', 'expand']);
    // Three ASCII dots, as PocketBase's excerpt modifier appends.
    expect(list.body.items[0].body).toBe('Hello wond...');
    expect(list.body.items[0].expand.author).toMatchObject({ name: 'Amy', age: 30, id: amy.id });
    const noEllipsis = await s.request('GET', `${url}/${p.id}?fields=${encodeURIComponent('*,body:excerpt(200)')}`);
    expect(noEllipsis.body).toMatchObject({ id: p.id, title: 'T', body: 'Hello wonderful world of things' });
    const created = await s.request('POST', `${url}?fields=title&expand=author`, { body: { title: 'picked', author: amy.id } });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toEqual({ title: 'picked' });
    const bad = await s.request('GET', `${url}/${p.id}?fields=${encodeURIComponent('body:excerpt(x)')}`);
    expect(bad.status).toBe(400);
    const errorIgnored = await s.request('GET', `${url}/missingmissing1?fields=id`);
    expect(errorIgnored.status).toBe(404);
    expect(errorIgnored.body).toMatchObject({ status: 404, message: "The requested resource wasn't found.", data: {} });
  });
});

describe('the body limit of record writes', () => {
  // A small server limit, so the collection's limit (server limit + json/editor allowances) is small too.
  let small: TestServer;
  let limit: number;
  beforeAll(async () => {
    small = await startTestServer({ bodyLimit: 1024 });
    await createCollection(small, { name: 'limited', createRule: '', fields: [{ name: 'title', type: 'text', max: 0 }] });
    limit = 1024;
  });
  afterAll(async () => { await small?.close(); });

  /** Sends a JSON body in chunks without Content-Length (Transfer-Encoding: chunked). */
  function sendChunked(size: number): Promise<number> {
    const body = JSON.stringify({ title: 'x'.repeat(size) });
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${small.url}/api/collections/limited/records`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 100) req.write(body.slice(i, i + 100));
      req.end();
    });
  }

  it('counts a chunked body and refuses it past the limit with 413', async () => {
    expect(await sendChunked(100)).toBe(200);
    expect(await sendChunked(limit * 2)).toBe(413);
  });

  it('refuses a declared Content-Length past the limit with 413 before reading it', async () => {
    const res = await fetch(`${small.url}/api/collections/limited/records`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'x'.repeat(limit * 2) }),
    });
    expect(res.status).toBe(413);
  });
});
