/**
 * No acknowledged write is lost when the process is killed (docs/architecture.md §6): the real
 * `plinth serve` runs as a child process, takes a burst of concurrent record creates,
 * is SIGKILLed in the middle of it, and is started again on the same data directory.
 * Every create that was answered 200 must be there, intact, and the database must open
 * cleanly and pass SQLite's integrity check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, requestJson as json, runPlinth, startPlinth, type PlinthProcess } from './helpers/plinth-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'plinth-crash-'));
const EMAIL = 'crash@example.com';
const PASSWORD = 'crash-password-123';

const TOTAL = 400;
const CONCURRENCY = 20;
/** The kill happens once this many creates were acknowledged, i.e. with ~20 requests in flight. */
const KILL_AFTER = 150;

const servers: PlinthProcess[] = [];
afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts `plinth serve` on the data directory, on a port the OS picks (never a reused one). */
async function serve(dir: string): Promise<PlinthProcess> {
  const server = await startPlinth([`--dir=${dir}`], childEnv({}), scratch);
  servers.push(server);
  return server;
}

async function signIn(url: string): Promise<string> {
  const r = await json(`${url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
  expect(r.status).toBe(200);
  return r.body.token;
}

describe('crash durability', () => {
  it('keeps every acknowledged create across a SIGKILL in the middle of a burst', async () => {
    const dir = join(scratch, 'data');
    const upsert = await runPlinth(['superuser', 'upsert', EMAIL, PASSWORD, `--dir=${dir}`], childEnv({}), scratch);
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
