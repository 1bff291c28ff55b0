/**
 * No acknowledged write is lost when the process is killed (design §6): the real
 * `plinth serve` runs as a child process, takes a burst of concurrent record creates,
 * is SIGKILLed in the middle of it, and is started again on the same data directory.
 * Every create that was answered 200 must be there, intact, and the database must open
 * cleanly and pass SQLite's integrity check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'src/cli/main.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'plinth-crash-'));
const EMAIL = 'crash@example.com';
const PASSWORD = 'crash-password-123';

const TOTAL = 400;
const CONCURRENCY = 20;
/** The kill happens once this many creates were acknowledged, i.e. with ~20 requests in flight. */
const KILL_AFTER = 150;

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs the CLI to completion and returns its exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], { cwd: scratch, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => done({ code, out }));
  });
}

/** Starts `plinth serve` on a port the OS picks (never a reused one) and resolves with its URL. */
async function serve(dir: string): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, main, 'serve', '--http=127.0.0.1:0', `--dir=${dir}`, '--logLevel=silent'], {
    cwd: scratch, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30s\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}\n${out}\n${err}`));
    });
  });
  return { child, url, exited };
}

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PLINTH_')));
}

async function json(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function signIn(url: string): Promise<string> {
  const r = await json(`${url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
  expect(r.status).toBe(200);
  return r.body.token;
}

describe('crash durability', () => {
  it('keeps every acknowledged create across a SIGKILL in the middle of a burst', async () => {
    const dir = join(scratch, 'data');
    const upsert = await runCli(['superuser', 'upsert', EMAIL, PASSWORD, `--dir=${dir}`]);
    expect(upsert.code, upsert.out).toBe(0);

    const first = await serve(dir);
    const token = await signIn(first.url);
    const created = await json(`${first.url}/api/collections`, 'POST', {
      name: 'burst', createRule: '',
      fields: [
        { name: 'n', type: 'number', onlyInt: true },
        { name: 'title', type: 'text' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_burst_n ON burst (n)'],
    }, token);
    expect(created.status, JSON.stringify(created.body)).toBe(200);

    const acked = new Map<string, number>();
    let next = 0;
    let killed = false;
    let failedBeforeKill = 0;
    const kill = (): void => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
    const worker = async (): Promise<void> => {
      while (!killed && next < TOTAL) {
        const n = next++;
        try {
          const r = await json(`${first.url}/api/collections/burst/records`, 'POST', { n, title: `record ${n}`, tags: ['a', 'c'] });
          if (r.status === 200) {
            acked.set(r.body.id, n);
            if (acked.size >= KILL_AFTER) kill();
          } else if (!killed) {
            failedBeforeKill++;
          }
        } catch {
          // A request cut off by the kill has no answer: its write may or may not exist.
          if (!killed) failedBeforeKill++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await first.exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(failedBeforeKill).toBe(0);
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acked.size).toBeLessThan(TOTAL);

    const second = await serve(dir);
    expect((await json(`${second.url}/api/health`, 'GET')).status).toBe(200);
    const token2 = await signIn(second.url);
    const list = await json(`${second.url}/api/collections/burst/records?perPage=1000&sort=n`, 'GET', undefined, token2);
    expect(list.status).toBe(200);
    const stored = new Map<string, any>(list.body.items.map((r: any) => [r.id, r]));
    const lost = [...acked.keys()].filter((id) => !stored.has(id));
    expect(lost, `${lost.length} acknowledged records lost of ${acked.size}`).toEqual([]);
    for (const [id, n] of acked) expect(stored.get(id)).toMatchObject({ n, title: `record ${n}`, tags: ['a', 'c'] });
    // Whatever else survived (requests in flight at the kill) is whole, never half-written.
    for (const record of stored.values()) expect(record).toMatchObject({ title: `record ${record.n}`, tags: ['a', 'c'] });
    expect(list.body.totalItems).toBe(stored.size);

    // The restarted node keeps accepting writes on the recovered database.
    const after = await json(`${second.url}/api/collections/burst/records`, 'POST', { n: TOTAL + 1, title: 'after restart' });
    expect(after.status).toBe(200);

    second.child.kill('SIGTERM');
    await second.exited;
    expect(second.child.exitCode).toBe(0);

    const db = new Database(join(dir, 'data.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT COUNT(*) AS c FROM burst').get()).toEqual({ c: stored.size + 1 });
    } finally {
      db.close();
    }
  }, 120_000);
});
