/**
 * Thumbs of decompression bombs (issue 10 item 8a): a small PNG that claims more than
 * 50 megapixels is never decoded; the original is served and no thumb is stored.
 */
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import PocketBase from 'pocketbase';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
import { imageSize, png, send, storedFiles } from './helpers/files.js';

let s: TestServer;
let admin: PocketBase;
let docs: any;

beforeAll(async () => {
  s = await startTestServer();
  admin = await s.admin();
  docs = await createCollection(s, { name: uniqueName('bombs'), listRule: '', viewRule: '', fields: [{ name: 'doc', type: 'file', maxSelect: 1 }] });
});
afterAll(async () => { await s?.close(); });

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid black 1-bit PNG of `side`×`side` pixels: a few KiB on disk, `side²` pixels decoded. */
function bombPng(side: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  const rows = Buffer.alloc(side * (1 + Math.ceil(side / 8))); // filter byte 0 + zero bits per row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('thumbs of decompression bombs', () => {
  it('serves the original of a PNG claiming 81 megapixels, without making a thumb', async () => {
    // 9000 × 9000 = 81 MP: under the old 100 MP limit, over the 50 MP one.
    const bomb = bombPng(9000);
    expect(bomb.length).toBeLessThan(100_000);
    const rec = await admin.collection(docs.name).create({ doc: new File([bomb], 'bomb.png', { type: 'image/png' }) });
    const res = await send(s, 'GET', `/api/files/${docs.name}/${rec.id}/${rec.doc}?thumb=100x100`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(bomb)).toBe(true);
    expect(storedFiles(s, `${docs.id}/${rec.id}`).some((k) => k.includes('thumbs_'))).toBe(false);
  });

  it('still makes thumbs of ordinary images', async () => {
    const image = await png(300, 200);
    const rec = await admin.collection(docs.name).create({ doc: new File([image], 'ok.png', { type: 'image/png' }) });
    const res = await send(s, 'GET', `/api/files/${docs.name}/${rec.id}/${rec.doc}?thumb=100x100`);
    expect(res.status).toBe(200);
    expect(await imageSize(res.bytes)).toMatchObject({ width: 100, height: 100 });
  });
});
