/**
 * Uploads are streamed (issue 10 item 7, "bodies are streamed"): a file part goes to a
 * temporary file under `<dir>/.tmp/uploads` as it arrives, so receiving a large upload
 * raises the server's memory by far less than its size, and no temporary file outlives
 * its request (stored, refused by validation or by a rule, or aborted by the client).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';

const MiB = 1 << 20;
let s: TestServer;
let token: string;
let docs: any;
let ruled: any;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
  docs = await createCollection(s, {
    name: uniqueName('docs'),
    listRule: '', viewRule: '', createRule: '',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 25 * MiB },
      { name: 'image', type: 'file', maxSelect: 1, maxSize: MiB, mimeTypes: ['image/png'] },
    ],
  });
  ruled = await createCollection(s, {
    name: uniqueName('ruled'),
    createRule: '@request.body.title = "ok"',
    fields: [{ name: 'title', type: 'text' }, { name: 'doc', type: 'file', maxSelect: 1, maxSize: 25 * MiB }],
  });
});
afterAll(async () => { await s?.close(); });

/** The server's temporary upload files now. */
function spooled(): string[] {
  const dir = join(s.dir, '.tmp', 'uploads');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** Waits (up to 5 s) until `check` holds. */
async function until(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  return check();
}

/** One filled chunk, sent again and again, so the client holds no copy of the upload. */
const CHUNK = Buffer.alloc(256 << 10, 0x61);

interface Upload {
  req: ClientRequest;
  answer: Promise<{ status: number; body: any }>;
  /** Sends `bytes` more of the file part (a multiple of CHUNK), waiting for the socket to drain. */
  send(bytes: number): Promise<void>;
  /** Sends the closing boundary. */
  end(): void;
}

/** Starts a POST of one text part and one file part of `size` bytes named `field`, sending nothing of the file yet. */
function startUpload(collection: any, size: number, field = 'doc', filename = 'big.txt', title = 'ok'): Upload {
  const boundary = 'plinthboundary' + Math.random().toString(36).slice(2);
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(s.url);
  const req = httpRequest({
    host: url.hostname, port: url.port, method: 'POST', path: `/api/collections/${collection.name}/records`,
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': String(head.length + size + tail.length),
      // The rules apply to a guest; the superuser passes them all.
      ...(collection === ruled ? {} : { Authorization: token }),
    },
  });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve({ status: 0, body: undefined });
      else reject(err);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
  });
  req.write(head);
  return {
    req,
    answer,
    async send(bytes) {
      for (let sent = 0; sent < bytes; sent += CHUNK.length) {
        if (!req.write(CHUNK)) await new Promise((r) => req.once('drain', r));
      }
    },
    end: () => req.end(tail),
  };
}

/** Memory the process holds in JavaScript objects and buffers, after a full collection. */
function heldMemory(gc: () => void): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('uploads are streamed to disk', () => {
  it('receives a 20 MiB upload with far less than 20 MiB more memory, and stores it whole', async () => {
    // The server runs in this process (startTestServer), so its memory is this process's.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const before = heldMemory(gc);
    const upload = startUpload(docs, 20 * MiB);
    await upload.send(18 * MiB);
    // The socket drained: the server has read what was sent, or is about to.
    await new Promise((r) => setTimeout(r, 300));
    const grown = heldMemory(gc) - before;
    // Held in memory, the 18 MiB received would be 18 MiB more (and more with copies).
    expect(grown, `memory grew by ${(grown / MiB).toFixed(1)} MiB`).toBeLessThan(6 * MiB);
    // The file is on disk as it arrives.
    expect(await until(() => spooled().some((f) => statSync(join(s.dir, '.tmp', 'uploads', f)).size >= 16 * MiB))).toBe(true);
    await upload.send(2 * MiB);
    upload.end();
    const answer = await upload.answer;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const stored = join(s.dir, 'storage', docs.id, answer.body.id, answer.body.doc);
    expect(statSync(stored).size).toBe(20 * MiB);
  });

  it('leaves no temporary file after a stored upload', async () => {
    const upload = startUpload(docs, MiB);
    await upload.send(MiB);
    upload.end();
    expect((await upload.answer).status).toBe(200);
    expect(await until(() => spooled().length === 0)).toBe(true);
  });

  it('leaves no temporary file after a validation failure (type refused by mimeTypes)', async () => {
    const upload = startUpload(docs, 512 << 10, 'image', 'not-a.png');
    await upload.send(512 << 10);
    upload.end();
    const answer = await upload.answer;
    expect(answer.status).toBe(400);
    expect(answer.body.data.image.code).toBe('validation_invalid_mime_type');
    expect(await until(() => spooled().length === 0)).toBe(true);
  });

  it('leaves no temporary file after a rule refusal', async () => {
    const upload = startUpload(ruled, MiB, 'doc', 'big.txt', 'no');
    await upload.send(MiB);
    upload.end();
    expect((await upload.answer).status).toBe(400);
    expect(await until(() => spooled().length === 0)).toBe(true);
  });

  it('leaves no temporary file after the client aborts mid-upload', async () => {
    const upload = startUpload(docs, 8 * MiB);
    await upload.send(4 * MiB);
    // The part is being written to a temporary file when the client goes away.
    expect(await until(() => spooled().length === 1)).toBe(true);
    upload.req.destroy();
    await upload.answer;
    expect(await until(() => spooled().length === 0)).toBe(true);
  });

  it('answers 500, without crashing, when no temporary file can be created', async () => {
    const dir = join(s.dir, '.tmp', 'uploads');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(s.dir, '.tmp'), { recursive: true });
    // A plain file where the folder should be.
    writeFileSync(dir, '');
    try {
      const upload = startUpload(docs, MiB);
      await upload.send(MiB);
      upload.end();
      const answer = await upload.answer;
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ status: 500, message: 'Something went wrong while processing your request.', data: {} });
    } finally {
      rmSync(dir, { force: true });
    }
    const again = startUpload(docs, MiB);
    await again.send(MiB);
    again.end();
    expect((await again.answer).status).toBe(200);
  });
});
