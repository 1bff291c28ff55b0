/**
 * Graceful shutdown of a real `plinth serve` process (docs/operations.md, "Deploying"): on
 * SIGTERM the node stops accepting connections at once, the request in flight
 * finishes with its answer, every realtime stream ends cleanly (so its client
 * reconnects, to another node behind a load balancer), and the process exits 0.
 * The slow request is a custom route of a hooks file that waits until the test
 * writes a release file, so nothing here depends on timing.
 * On PostgreSQL when PLINTH_TEST_DIALECT=postgres, else SQLite.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, startPlinth, type PlinthProcess } from './helpers/plinth-process.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';
import { eventually } from './helpers/jobs.js';

// GET /test/slow writes STARTED_FILE, then answers once RELEASE_FILE exists (or 500 after 60 s).
const HOOKS = `
import { existsSync, writeFileSync } from 'node:fs';
export default (app) => {
  app.routerAdd('GET', '/test/slow', async (e) => {
    writeFileSync(process.env.STARTED_FILE, 'started');
    for (let i = 0; i < 3000 && !existsSync(process.env.RELEASE_FILE); i++) await new Promise((r) => setTimeout(r, 20));
    if (!existsSync(process.env.RELEASE_FILE)) return e.json(500, { released: false });
    return e.json(200, { released: true });
  });
};
`;

const scratch = mkdtempSync(join(tmpdir(), 'plinth-shutdown-'));
const started = join(scratch, 'started');
const release = join(scratch, 'release');
let database: TestDatabase | undefined;
let node: PlinthProcess | undefined;

beforeAll(async () => {
  const hooksDir = join(scratch, 'hooks');
  mkdirSync(hooksDir);
  writeFileSync(join(hooksDir, 'slow.mjs'), HOOKS);
  let env: Record<string, string> = { STARTED_FILE: started, RELEASE_FILE: release };
  if (testDialect() === 'postgres') {
    database = await createTestDatabase();
    env = { ...env, DATABASE_URL: database.url };
  }
  node = await startPlinth([`--dir=${join(scratch, 'data')}`, `--hooksDir=${hooksDir}`], childEnv(env), scratch);
}, 120_000);

afterAll(async () => {
  if (node && node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  await node?.exited;
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** A realtime stream read with node:http (no reconnecting client): its text so far and how it ended. */
function openStream(url: string): Promise<{ text: () => string; ended: Promise<'end' | 'error'> }> {
  return new Promise((resolve, reject) => {
    get(`${url}/api/realtime`, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<'end' | 'error'>((done) => {
        res.on('end', () => done('end'));
        res.on('error', () => done('error'));
        res.on('aborted', () => done('error'));
      });
      resolve({ text: () => text, ended });
    }).on('error', reject);
  });
}

/** Whether a new TCP connection to the node's port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM', () => {
  it('refuses new connections, finishes the request in flight, ends realtime streams cleanly and exits 0', async () => {
    const { url, child } = node!;
    const port = Number(new URL(url).port);
    const stream = await openStream(url);
    await eventually(() => (stream.text().includes('PB_CONNECT') ? true : undefined), 'the realtime stream to connect');
    const slow = fetch(`${url}/test/slow`, { signal: AbortSignal.timeout(60_000) });
    await eventually(() => (existsSync(started) ? true : undefined), 'the slow request to reach its handler');

    child.kill('SIGTERM');
    // The listener closes at once, while the slow request is still held open by its handler.
    await eventually(async () => ((await refused(port)) ? true : undefined), 'new connections to be refused');
    expect(await stream.ended).toBe('end');
    expect(child.exitCode).toBeNull();

    writeFileSync(release, 'go');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ released: true });
    await node!.exited;
    expect(child.exitCode).toBe(0);
  }, 90_000);
});

describe('SIGTERM with --shutdownDelay', () => {
  it('answers readiness 503 at once while it keeps serving, finishes the request in flight, then exits 0', async () => {
    const dir = join(scratch, 'delayed');
    const hooksDir = join(scratch, 'hooks');
    const flags = { STARTED_FILE: join(dir, 'started'), RELEASE_FILE: join(dir, 'release') };
    mkdirSync(dir, { recursive: true });
    const env = testDialect() === 'postgres' ? { ...flags, DATABASE_URL: database!.url } : flags;
    const delayed = await startPlinth([`--dir=${join(dir, 'data')}`, `--hooksDir=${hooksDir}`, '--shutdownDelay=5'], childEnv(env), scratch);
    try {
      expect((await fetch(`${delayed.url}/api/health?ready=1`)).status).toBe(200);
      const slow = fetch(`${delayed.url}/test/slow`, { signal: AbortSignal.timeout(60_000) });
      await eventually(() => (existsSync(flags.STARTED_FILE) ? true : undefined), 'the slow request to reach its handler');

      delayed.child.kill('SIGTERM');
      // At once: not ready, so a load balancer takes it out, while everything else is still served.
      await eventually(async () => ((await fetch(`${delayed.url}/api/health?ready=1`)).status === 503 ? true : undefined), 'readiness to answer 503');
      const health = await fetch(`${delayed.url}/api/health`);
      expect(health.status).toBe(200);
      expect(delayed.child.exitCode).toBeNull();

      writeFileSync(flags.RELEASE_FILE, 'go');
      const response = await slow;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ released: true });
      await delayed.exited;
      expect(delayed.child.exitCode).toBe(0);
    } finally {
      if (delayed.child.exitCode === null && delayed.child.signalCode === null) delayed.child.kill('SIGKILL');
      await delayed.exited;
    }
  }, 90_000);
});
