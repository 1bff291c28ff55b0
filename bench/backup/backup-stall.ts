/**
 * How long writes stall while a backup runs (docs/operations.md, Backups). Fills a
 * SQLite data directory with about `--size-mb` MiB (default 1024) of records, starts
 * `plinth serve` as a child process, sends one record create every `--interval-ms`
 * (default 20) and records each write's latency: first with no backup, then during
 * `POST /api/backups` (Plinth's snapshot read), then during a `VACUUM INTO` and a
 * better-sqlite3 `.backup()` taken from a second connection in this process.
 *
 *   node --import tsx bench/backup/backup-stall.ts [--size-mb=1024] [--interval-ms=20] [--plinth-only]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { childEnv, requestJson, runPlinth, startPlinth } from '../../test/helpers/plinth-process.js';

const { values } = parseArgs({ options: { 'size-mb': { type: 'string', default: '1024' }, 'interval-ms': { type: 'string', default: '20' }, 'plinth-only': { type: 'boolean', default: false } } });
const sizeMb = Number(values['size-mb']);
const intervalMs = Number(values['interval-ms']);
const ROW_BYTES = 4096;

const scratch = mkdtempSync(join(tmpdir(), 'plinth-backup-bench-'));
const dir = join(scratch, 'data');
const env = childEnv({});
const EMAIL = 'bench@example.com';
const PASSWORD = 'bench-password-123';

/** Writes at a steady rate until stopped; resolves with each write's latency in ms. */
function steadyWrites(url: string, token: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const timer = setInterval(() => {
    const started = performance.now();
    pending.push(requestJson(`${url}/api/collections/writes/records`, 'POST', { n: started }, token).then((r) => {
      if (r.status !== 200) throw new Error(`write failed: ${r.status}`);
      latencies.push(performance.now() - started);
    }));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return latencies;
    },
  };
}

function summary(label: string, latencies: number[], seconds?: number): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  const took = seconds === undefined ? '' : `, took ${seconds.toFixed(1)} s`;
  return `${label.padEnd(34)} writes ${String(sorted.length).padStart(5)}  p50 ${at(0.5).padStart(7)} ms  p99 ${at(0.99).padStart(7)} ms  max ${sorted[sorted.length - 1]!.toFixed(1).padStart(8)} ms${took}`;
}

async function during(label: string, url: string, token: string, work: () => Promise<void>): Promise<string> {
  console.error(`… ${label}`);
  const writes = steadyWrites(url, token);
  await new Promise((r) => setTimeout(r, 500));
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500));
  return summary(label, await writes.stop(), seconds);
}

/** Runs a CommonJS script in a child node process with `args`; resolves when it exits. */
function inChild(script: string, ...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=commonjs', '-e', script, ...args], { cwd: process.cwd(), stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const upsert = await runPlinth(['superuser', 'upsert', EMAIL, PASSWORD, `--dir=${dir}`], env, scratch);
  if (upsert.code !== 0) throw new Error(upsert.out);
  let node = await startPlinth([`--dir=${dir}`], env, scratch);
  let token = (await requestJson(`${node.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD })).body.token as string;
  for (const [name, field] of [['fill', { name: 'body', type: 'text', max: 100000 }], ['writes', { name: 'n', type: 'number' }]] as const) {
    const r = await requestJson(`${node.url}/api/collections`, 'POST', { name, type: 'base', fields: [field] }, token);
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  }
  await node.stop();

  // Straight into the table Plinth made, in one transaction (as bench/lib/seed.mjs fills its data set).
  const fillStarted = performance.now();
  const raw = new Database(join(dir, 'data.db'));
  const insert = raw.prepare('INSERT INTO fill (id, body) VALUES (?, ?)');
  const rows = Math.ceil((sizeMb * 1024 * 1024) / ROW_BYTES);
  raw.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`f${String(i).padStart(14, '0')}`, randomBytes(ROW_BYTES / 2).toString('hex'));
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.close();
  const dbMb = statSync(join(dir, 'data.db')).size / 2 ** 20;
  console.log(`filled ${rows} rows, data.db ${dbMb.toFixed(0)} MiB in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);

  node = await startPlinth([`--dir=${dir}`], env, scratch);
  token = (await requestJson(`${node.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD })).body.token as string;
  const lines: string[] = [];
  lines.push(await during('no backup (3 s)', node.url, token, () => new Promise((r) => setTimeout(r, 3000))));
  lines.push(await during('POST /api/backups (Plinth)', node.url, token, async () => {
    const r = await fetch(`${node.url}/api/backups`, {
      method: 'POST', headers: { Authorization: token, 'Content-Type': 'application/json' }, body: '{"name":"bench.zip"}', signal: AbortSignal.timeout(900_000),
    });
    if (r.status !== 204) throw new Error(`backup failed: ${r.status} ${await r.text()}`);
  }));
  const zipMb = statSync(join(dir, 'backups', 'bench.zip')).size / 2 ** 20;
  if (values['plinth-only']) {
    await node.stop();
    for (const line of lines) console.log(line);
    return;
  }
  // In another process, as the server's own synchronous connection would stall everything, and this
  // process must keep writing meanwhile.
  lines.push(await during('VACUUM INTO (other process)', node.url, token, () => inChild(`
    const db = new (require('better-sqlite3'))(process.argv[1], { readonly: true });
    db.exec("VACUUM INTO '" + process.argv[2] + "'");
  `, join(dir, 'data.db'), join(scratch, 'vacuum.db'))));
  // NOTE: SQLite restarts an online backup whenever another connection writes the source,
  // so under steady writes it may never finish: given up after 60 s.
  lines.push(await during('.backup() (other process)', node.url, token, () => inChild(`
    const db = new (require('better-sqlite3'))(process.argv[1], { readonly: true });
    const deadline = Date.now() + 60000;
    let restarts = 0, remaining = Infinity;
    db.backup(process.argv[2], { progress: (p) => {
      if (p.remainingPages > remaining) restarts++;
      remaining = p.remainingPages;
      if (Date.now() > deadline) throw new Error('gave up after 60 s, ' + restarts + ' restarts');
      return 100;
    } }).then(() => console.error('.backup(): done, ' + restarts + ' restarts'), (e) => console.error('.backup(): ' + e.message));
  `, join(dir, 'data.db'), join(scratch, 'api-backup.db'))));
  await node.stop();
  console.log(`backup zip ${zipMb.toFixed(0)} MiB; one write every ${intervalMs} ms`);
  for (const line of lines) console.log(line);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
}).finally(() => rmSync(scratch, { recursive: true, force: true }));
