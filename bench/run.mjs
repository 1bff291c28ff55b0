#!/usr/bin/env node
/**
 * `npm run bench`: seeds the data set, starts Plinth and the raw baseline
 * server on 127.0.0.1 (pinned to core 0, the load generator to core 1), checks
 * every workload's answers, measures W1–W7 (and R1 when realtime exists) and
 * prints one table of Plinth ÷ baseline; the figures go to bench/results/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_USER } from './lib/data.mjs';
import { runLoad } from './lib/load.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { buildPlinth } from './lib/plinth-build.mjs';
import { renderTable, writeResult } from './lib/report.mjs';
import { runRealtimeProbe } from './lib/realtime.mjs';
import { ensureSeed, freshCopy } from './lib/seed.mjs';
import { ensurePostgresSeed, freshPostgresCopy, postgresServerVersion } from './lib/seed-postgres.mjs';
import { assertPortFree, BenchError, cpuTimeOf, HOST, memoryOf, pinningAvailable, resetPeak, sampleRss, startServer } from './lib/servers.mjs';
import { WORKLOADS } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const DATA = join(BENCH, '.data');
const RESULTS = join(BENCH, 'results');

const tty = process.stdout.isTTY;
/** One status line, rewritten in place on a terminal. */
function progress(text, final = false) {
  if (tty) process.stdout.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
  else if (final || !text.includes('…')) process.stdout.write(`${text}\n`);
}

async function api(server, method, path, body, token) {
  const res = await fetch(server.url + path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: token } : {}) },
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

async function login(server) {
  const res = await api(server, 'POST', '/api/collections/users/auth-with-password', { identity: BENCH_USER.email, password: BENCH_USER.password });
  if (res.status !== 200) throw new BenchError(`${server.name}: signing in ${BENCH_USER.email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

async function measure(opts, id, server, ctx, connections, duration, warmup) {
  const peakReset = resetPeak(server.pid);
  const sampler = sampleRss(server.pid);
  const duty = `${id} ${server.name}`;
  let cpuStart = NaN;
  const result = await runLoad({
    workload: id, url: server.url, token: WORKLOADS[id].auth === 'user' ? ctx.token[server.name] : undefined,
    ctx: { productIds: ctx.productIds, benchUserId: ctx.benchUserId, ...ctx.extra[server.name] }, connections, duration, warmup, pin: opts.pin, jobDir: ctx.runDir,
    onProgress: (t) => {
      if (t.phase === 'measure' && t.second === 0) cpuStart = cpuTimeOf(server.pid);
      else progress(`${duty}: ${t.phase} ${t.second}/${t.seconds} s, ${t.requests.toLocaleString('en-US')} req/s …`);
    },
  });
  // CPU time per request: on a shared machine it moves far less than req/s when other work
  // competes for the server's core, so it is the steadier figure to compare builds with.
  const cpuUs = cpuTimeOf(server.pid) - cpuStart;
  const sampled = sampler.stop();
  if (server.exited) throw new BenchError(`${server.name} died during ${id}; see ${server.logFile}`);
  const peakRss = peakReset ? memoryOf(server.pid).hwm : sampled;
  return { ...result, peakRss, cpuUs };
}

/** Two rounds as one result: totals add up, p50 is request-weighted, p99 and peaks take the worse round. */
function combine(a, b) {
  const requests = a.requests + b.requests;
  const duration = a.duration + b.duration;
  const weighted = (k) => (requests > 0 ? (a[k] * a.requests + b[k] * b.requests) / requests : 0);
  return {
    requests, duration, rps: requests / duration, cpuUs: a.cpuUs + b.cpuUs, cpuUsPerRequest: requests > 0 ? (a.cpuUs + b.cpuUs) / requests : NaN, p50: weighted('p50'), p99: Math.max(a.p99, b.p99), max: Math.max(a.max, b.max),
    non2xx: a.non2xx + b.non2xx, errors: a.errors + b.errors, timeouts: a.timeouts + b.timeouts, peakRss: Math.max(a.peakRss, b.peakRss),
    statusCodes: Object.fromEntries([...new Set([...Object.keys(a.statusCodes ?? {}), ...Object.keys(b.statusCodes ?? {})])]
      .map((code) => [code, (a.statusCodes?.[code] ?? 0) + (b.statusCodes?.[code] ?? 0)])),
  };
}

/** Why a workload's figures are not a result (non-2xx answers, failures, nothing completed), or undefined. */
function invalidity(row) {
  for (const [name, r] of [['Plinth', row.plinth], ['baseline', row.baseline]]) {
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
      const codes = Object.entries(r.statusCodes ?? {}).filter(([code]) => !code.startsWith('2')).map(([code, n]) => `${n}× ${code}`).join(', ');
      return `${name} answered ${r.non2xx} non-2xx (${codes || 'no status'}), ${r.errors} errors, ${r.timeouts} timeouts`;
    }
    if (r.requests === 0) return `${name} completed no request in the measured time; raise --duration`;
  }
  return undefined;
}

/** The Node flags of package.json's `start` script (`node --flag … bin/plinth.js serve`). */
function startFlags(root) {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts?.start ?? '';
  const words = start.split(/\s+/);
  if (words[0] !== 'node') return [];
  const flags = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('--')) break;
    flags.push(word);
  }
  return flags;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  if (opts.help) return void process.stdout.write(USAGE);
  if (opts.dialect === 'postgres' && !existsSync(join(ROOT, 'src/db/dialect/postgres'))) {
    throw new BenchError('--dialect=postgres: this build of Plinth has no PostgreSQL dialect yet (src/db/dialect/postgres is missing); run with --dialect=sqlite');
  }
  if (opts.pin && !pinningAvailable()) {
    process.stdout.write('Note: taskset or a second core is missing; servers and load generator are not pinned.\n');
    opts.pin = false;
  }
  const ports = { plinth: opts.port, baseline: opts.port + 1 };
  await assertPortFree(ports.plinth, '--port');
  await assertPortFree(ports.baseline, '--port');
  mkdirSync(DATA, { recursive: true });

  progress('building Plinth from src/ …');
  // A profiled run keeps one file per module, so the profile names files and packages.
  const build = await buildPlinth(ROOT, join(DATA, 'plinth'), { bundle: !opts.profile });
  const seedOptions = { dataDir: DATA, plinthEntry: build.entry, port: ports.plinth, pin: opts.pin, reseed: opts.reseed, progress: (t) => progress(`${t} …`) };
  const postgres = opts.dialect === 'postgres';
  const seed = postgres ? await ensurePostgresSeed({ ...seedOptions, postgresUrl: opts.postgresUrl }) : await ensureSeed(seedOptions);
  const runDir = join(DATA, 'run');
  freshCopy(postgres ? undefined : seed.dir, runDir);
  // On PostgreSQL both servers get DATABASE_URL (not a flag: ps would show a password in it).
  // An empty DATABASE_URL keeps Plinth on SQLite even when the shell exports one.
  let database = { dialect: 'sqlite', env: { DATABASE_URL: '' } };
  if (postgres) {
    progress('copying the seed database for this run …');
    const url = await freshPostgresCopy(opts.postgresUrl);
    database = { dialect: 'postgres', env: { DATABASE_URL: url }, server: await postgresServerVersion(url), pinned: false };
    // PostgreSQL is a service of its own: its backends run on whichever core the kernel picks.
    process.stdout.write(`Note: PostgreSQL (${database.server}) is a separate service and is not pinned; both servers share it.\n`);
  }

  const profileDir = join(RESULTS, 'profiles');
  // Plinth runs with the Node flags `npm start` gives it, so the bench measures what ships.
  const nodeFlags = [...startFlags(ROOT), ...opts.nodeFlags, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
  const servers = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  process.once('SIGINT', () => { stopAll().then(() => process.exit(130)); });
  try {
    progress('starting the baseline and Plinth …');
    const baseline = await startServer({
      name: 'baseline', cmd: process.execPath,
      args: postgres
        ? [join(BENCH, 'baseline/server-postgres.mjs'), `--port=${ports.baseline}`]
        : [join(BENCH, 'baseline/server.mjs'), `--port=${ports.baseline}`, `--db=${join(runDir, 'data.db')}`],
      env: database.env, port: ports.baseline, logFile: join(runDir, 'baseline.log'), pin: opts.pin,
    });
    servers.push(baseline);
    // R1 opens 10,000 streams from 127.0.0.1: far past the default per-IP caps (500 streams,
    // 1000 connections), and the node cap is pinned so a change of its default cannot cut the workload short.
    const realtimeCaps = ['--maxRealtimeStreams=20000', '--maxRealtimeStreamsPerIp=20000', '--connectionsPerIp=0'];
    const startPlinth = (logName) => startServer({
      name: 'plinth', cmd: process.execPath, args: [...nodeFlags, build.entry, 'serve', `--http=${HOST}:${ports.plinth}`, `--dir=${runDir}`, ...realtimeCaps],
      env: database.env, port: ports.plinth, logFile: join(runDir, logName), pin: opts.pin,
    });
    let plinth = await startPlinth('plinth.log');
    servers.push(plinth);
    await new Promise((r) => setTimeout(r, 1000));
    const startup = {
      plinth: { startupMs: plinth.startupMs, idleRss: memoryOf(plinth.pid).rss },
      baseline: { startupMs: baseline.startupMs, idleRss: memoryOf(baseline.pid).rss },
    };

    const ctx = { productIds: seed.meta.productIds, benchUserId: seed.meta.benchUserId, runDir, token: {}, extra: {} };
    const measured = opts.workloads.filter((w) => w !== 'R1');
    for (const server of [baseline, plinth]) {
      progress(`checking the answers of ${server.name} …`);
      ctx.token[server.name] = await login(server);
      for (const id of measured) {
        const call = (method, path, body, token) => api(server, method, path, body, token);
        // A verify may hand back what that server's requests need (C1deep: its own deep cursors), or
        // what Plinth's answers are compared with (S1: the baseline's ids, checked first).
        const extra = await WORKLOADS[id].verify(call, { ...ctx, server: server.name, token: ctx.token[server.name] }).catch((err) => {
          throw err instanceof BenchError ? new BenchError(`${server.name}: ${err.message}`) : err;
        });
        if (extra) ctx.extra[server.name] = { ...ctx.extra[server.name], ...extra };
      }
    }
    progress(`answers checked: ${measured.join(', ')} on both servers`, true);

    const rows = [];
    // R1 runs last, whatever the order asked: it restarts Plinth.
    for (const id of [...measured, ...opts.workloads.filter((w) => w === 'R1')]) {
      if (id === 'R1') {
        // R1 is defined on its own (memory per idle client): it runs on a freshly started
        // Plinth, not on the process whose heap and SQLite cache W1–W7 grew (bench/README.md).
        progress('R1: restarting Plinth …');
        await plinth.stop();
        servers.splice(servers.indexOf(plinth), 1);
        plinth = await startPlinth('plinth-r1.log');
        servers.push(plinth);
        rows.push(await runRealtimeProbe({ bench: BENCH, plinth, pin: opts.pin, progress }));
        continue;
      }
      const w = WORKLOADS[id];
      const duration = opts.duration * (w.durationFactor ?? 1);
      const row = { id, title: w.title };
      // Two alternating rounds per server (baseline, Plinth, baseline, Plinth), so a burst of
      // load from elsewhere on a shared machine hits both sides rather than one.
      const half = Math.max(1, Math.round(duration / 2));
      const b1 = await measure(opts, id, baseline, ctx, opts.connections, half, opts.warmup);
      const p1 = await measure(opts, id, plinth, ctx, opts.connections, half, opts.warmup);
      row.baseline = combine(b1, await measure(opts, id, baseline, ctx, opts.connections, half, 0));
      row.plinth = combine(p1, await measure(opts, id, plinth, ctx, opts.connections, half, 0));
      if (id.startsWith('W7')) {
        // W7's target is a latency, measured without queueing: one connection.
        row.plinth.latency1 = await measure(opts, id, plinth, ctx, 1, Math.max(2, Math.ceil(opts.duration / 2)), 0);
      }
      row.ratio = row.plinth.rps / row.baseline.rps;
      row.cpuRatio = row.baseline.cpuUsPerRequest / row.plinth.cpuUsPerRequest;
      row.invalid = invalidity(row);
      progress(`${id}: Plinth ${Math.round(row.plinth.rps)} req/s, baseline ${Math.round(row.baseline.rps)} req/s, ratio ${row.ratio.toFixed(2)} (CPU per request ${row.cpuRatio.toFixed(2)})`, true);
      rows.push(row);
    }

    const result = {
      startedAt: new Date().toISOString(), dialect: opts.dialect, plinthSource: build.source,
      database: { dialect: database.dialect, server: database.server, pinned: postgres ? false : opts.pin },
      options: { duration: opts.duration, warmup: opts.warmup, connections: opts.connections, pinned: opts.pin },
      node: process.version, startup, workloads: rows,
    };
    progress('', false);
    process.stdout.write(`\n${renderTable(result)}\n`);
    const file = writeResult(RESULTS, result);
    process.stdout.write(`\nfigures written to ${file}\n`);
  } finally {
    await stopAll();
  }
  if (opts.profile) process.stdout.write(`CPU profile of Plinth in ${profileDir}/ (open in Chrome DevTools or speedscope)\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    if (tty) process.stdout.write('\n');
    process.stderr.write(err instanceof BenchError ? `bench: ${err.message}\n` : `bench: unexpected failure: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
