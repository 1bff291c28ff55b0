/**
 * Record writes are refused before their body is read (issue 10 item 7): an unknown
 * collection, a view, a superuser-only rule and, for a large update, a missing or
 * forbidden record answer while the client is still sending, and the server reads
 * little of the body.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, createRecord, uniqueName } from './helpers/record-scenarios.js';

let s: TestServer;
let locked: string;
let open: string;
let owned: string;
let view: string;
let recordId: string;
let ownedId: string;
let token: string;

/** 30 MiB: under the 32 MiB default limit, so the old code read all of it. */
const DECLARED = 30 << 20;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
  locked = uniqueName('locked');
  open = uniqueName('open');
  owned = uniqueName('owned');
  view = uniqueName('v');
  await createCollection(s, { name: locked, listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null, fields: [{ name: 'title', type: 'text' }] });
  await createCollection(s, { name: open, listRule: '', viewRule: '', createRule: '', updateRule: '', fields: [{ name: 'title', type: 'text' }] });
  await createCollection(s, { name: owned, listRule: '', viewRule: '', createRule: '', updateRule: 'title = "mine"', fields: [{ name: 'title', type: 'text' }] });
  const v = await s.request('POST', '/api/collections', { token, body: { name: view, type: 'view', listRule: '', viewRule: '', viewQuery: `SELECT id, title FROM ${open}` } });
  expect(v.status, v.text).toBe(200);
  recordId = (await createRecord(s, locked, { title: 'x' })).id;
  ownedId = (await createRecord(s, owned, { title: 'theirs' })).id;
});
afterAll(async () => { await s?.close(); });

interface EarlyAnswer {
  status: number;
  body: any;
  /** Bytes of the body written before the answer arrived. */
  sent: number;
}

/**
 * Declares a 30 MiB body, sends its first 64 KiB, then waits for an answer without
 * sending more; null when none arrives within 5 s (the server waits for the rest).
 */
function sendPartial(method: string, path: string, headers: Record<string, string> = {}): Promise<EarlyAnswer | null> {
  const url = new URL(s.url + path);
  const first = Buffer.alloc(64 << 10, 0x61);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(DECLARED), ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, 5000);
    req.on('error', (err) => {
      // The server may close the connection once it answered; the answer still counts.
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' && (err as NodeJS.ErrnoException).code !== 'EPIPE') reject(err);
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, sent: first.length });
      });
    });
    req.write(first);
  });
}

describe('a record write is refused before its body is read', () => {
  it('answers 403 to a guest creating in a superuser-only collection, before the body arrives', async () => {
    const r = await sendPartial('POST', `/api/collections/${locked}/records`);
    expect(r, 'no answer before the body was sent').not.toBeNull();
    expect(r!.status).toBe(403);
    expect(r!.body).toEqual({ status: 403, message: 'Only superusers can perform this action.', data: {} });
    // Nothing was written.
    const list = await s.request('GET', `/api/collections/${locked}/records`);
    expect(list.body.totalItems).toBe(1);
  });

  it('answers 403 to a guest updating or deleting in a superuser-only collection', async () => {
    const u = await sendPartial('PATCH', `/api/collections/${locked}/records/${recordId}`);
    expect(u?.status).toBe(403);
    const d = await sendPartial('DELETE', `/api/collections/${locked}/records/${recordId}`);
    expect(d?.status).toBe(403);
  });

  it('answers 404 for an unknown collection', async () => {
    const r = await sendPartial('POST', '/api/collections/no_such_collection/records');
    expect(r?.status).toBe(404);
    expect(r?.body.message).toBe('Missing collection context.');
  });

  it('answers 400 for a write to a view collection', async () => {
    const r = await sendPartial('POST', `/api/collections/${view}/records`);
    expect(r?.status).toBe(400);
  });

  it('answers 404 to a large update of a missing record, or of one the rule does not let the caller update', async () => {
    const missing = await sendPartial('PATCH', `/api/collections/${open}/records/missing1234567`);
    expect(missing?.status).toBe(404);
    const forbidden = await sendPartial('PATCH', `/api/collections/${owned}/records/${ownedId}`);
    expect(forbidden?.status).toBe(404);
  });

  it('still reads the body of an allowed write, and of a superuser write to a locked collection', async () => {
    const r = await s.request('POST', `/api/collections/${locked}/records`, { token, body: { title: 'by admin' } });
    expect(r.status, r.text).toBe(200);
    const g = await s.request('POST', `/api/collections/${open}/records`, { body: { title: 'by guest' } });
    expect(g.status, g.text).toBe(200);
    const u = await s.request('PATCH', `/api/collections/${open}/records/${g.body.id}`, { body: { title: 'changed' } });
    expect(u.status, u.text).toBe(200);
    expect(u.body.title).toBe('changed');
  });
});
