#!/usr/bin/env node
/**
 * `node bench/ab-cpu.mjs`: A/B of Plinth's server CPU time per request, the steady
 * figure for small changes on a shared machine (bench/README.md, "A/B of CPU per
 * request"). Each variant is a build and a mode: the build of the current src/ (and,
 * with --ref, of a git revision), logs `on` (the defaults: stored request logs and the
 * stdout access line) or `off` (`settings.logs.maxDays: 0` and `--logLevel=warn`).
 * Every measurement starts Plinth (pinned to core 0) on a fresh copy of the seeded
 * data set, sends a warm-up and then a fixed number of requests (autocannon pinned to
 * core 1), and reads the server's CPU time from /proc before and after. Rounds are
 * interleaved (every variant once per round), and the median of the rounds is reported
 * with each variant's ratio to logs-off of the same build.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_ADMIN, BENCH_USER } from './lib/data.mjs';
import { runLoad } from './lib/load.mjs';
import { buildPlinth } from './lib/plinth-build.mjs';
import { ensureSeed, freshCopy } from './lib/seed.mjs';
import { assertPortFree, BenchError, cpuTimeOf, pinningAvailable, startServer } from './lib/servers.mjs';
import { WORKLOADS } from './lib/workloads.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const DATA = join(BENCH, '.data');

const USAGE = `Usage: node bench/ab-cpu.mjs [options]

  --workloads=W1,W5     workloads to measure (default W1,W5)
  --modes=on,off        logging modes: on (defaults) and off (maxDays 0, --logLevel=warn)
  --ref=REV             also measure the build of git revision REV (e.g. deps, HEAD~1)
  --rounds=N            interleaved rounds (default 3)
  --requests=N          measured requests per run (default 40000)
  --warmup=N            discarded warm-up requests per run (default 5000)
  --connections=N       concurrent connections (default 20)
  --node-flags=FLAGS    extra Node flags for Plinth, space-separated
  --port=N              Plinth's port on 127.0.0.1 (default 18090)
  --help                this text
`;

function options(argv) {
  const v = parseArgs({
    args: argv,
    options: {
      workloads: { type: 'string' }, modes: { type: 'string' }, ref: { type: 'string' }, rounds: { type: 'string' },
      requests: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' },
      'node-flags': { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  }).values;
  const num = (name, fallback, min, max) => {
    const n = v[name] === undefined ? fallback : Number(v[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new BenchError(`--${name}=${v[name]}: expected a whole number from ${min} to ${max}`);
    return n;
  };
  const list = (raw) => raw.split(',').map((x) => x.trim()).filter(Boolean);
  const workloads = list(v.workloads ?? 'W1,W5');
  for (const w of workloads) if (!WORKLOADS[w]) throw new BenchError(`--workloads: unknown ${w}`);
  const modes = list(v.modes ?? 'on,off');
  for (const m of modes) if (m !== 'on' && m !== 'off') throw new BenchError(`--modes: expected on and/or off, not ${m}`);
  return {
    help: v.help, workloads, modes, ref: v.ref, rounds: num('rounds', 3, 1, 50), requests: num('requests', 40_000, 100, 10_000_000),
    warmup: num('warmup', 5000, 0, 10_000_000), connections: num('connections', 20, 1, 1000), port: num('port', 18090, 1024, 65535),
    nodeFlags: (v['node-flags'] ?? '').split(/\s+/).filter(Boolean),
  };
}

/** Builds the current src/ and, with `ref`, that git revision's src/ (exported by git archive). */
async function builds(ref) {
  const out = [{ name: 'current', ...(await buildPlinth(ROOT, join(DATA, 'ab-current'))) }];
  if (ref) {
    const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
    const tree = join(DATA, 'ab-ref-src');
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    // The export sits inside the repository, so its imports resolve to the same node_modules.
    const archive = execFileSync('git', ['archive', sha, 'src', 'scripts', 'package.json'], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', tree], { input: archive });
    out.push({ name: ref, ...(await buildPlinth(tree, join(DATA, 'ab-ref'))) });
  }
  return out;
}

async function call(url, method, path, body, token) {
  const res = await fetch(url + path, {
    method, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: token } : {}) },
  });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new BenchError(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** One measurement: a fresh data copy, Plinth started in `mode`, warm-up, then the measured requests. */
async function measureOnce(opts, build, mode, workload, seed) {
  const runDir = join(DATA, 'ab-run');
  freshCopy(seed.dir, runDir);
  const args = [...opts.nodeFlags, build.entry, 'serve', `--http=127.0.0.1:${opts.port}`, `--dir=${runDir}`, ...(mode === 'off' ? ['--logLevel=warn'] : [])];
  // stdout goes to a file, as a shipper would read it; its writes are part of what is measured.
  const server = await startServer({ name: 'plinth', cmd: process.execPath, args, env: { DATABASE_URL: '' }, port: opts.port, logFile: join(runDir, 'plinth.log'), pin: opts.pin });
  try {
    const admin = await call(server.url, 'POST', '/api/collections/_superusers/auth-with-password', { identity: BENCH_ADMIN.email, password: BENCH_ADMIN.password });
    await call(server.url, 'PATCH', '/api/settings', { logs: { maxDays: mode === 'off' ? 0 : 5 } }, admin.token);
    const user = await call(server.url, 'POST', '/api/collections/users/auth-with-password', { identity: BENCH_USER.email, password: BENCH_USER.password });
    let cpuStart = NaN;
    const r = await runLoad({
      workload, url: server.url, token: WORKLOADS[workload].auth === 'user' ? user.token : undefined,
      ctx: { productIds: seed.meta.productIds, benchUserId: seed.meta.benchUserId }, connections: opts.connections,
      duration: 0, warmup: 0, amount: opts.requests, warmupAmount: opts.warmup, pin: opts.pin, jobDir: runDir,
      onProgress: (t) => { if (t.phase === 'measure' && t.second === 0) cpuStart = cpuTimeOf(server.pid); },
    });
    const cpuUs = cpuTimeOf(server.pid) - cpuStart;
    if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) throw new BenchError(`${workload} ${build.name}/${mode}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
    return { cpuUsPerRequest: cpuUs / r.requests, rps: r.rps };
  } finally {
    await server.stop();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const opts = options(process.argv.slice(2));
  if (opts.help) return void process.stdout.write(USAGE);
  opts.pin = pinningAvailable();
  if (!opts.pin) process.stdout.write('Note: taskset or a second core is missing; nothing is pinned.\n');
  await assertPortFree(opts.port, '--port');
  mkdirSync(DATA, { recursive: true });
  const all = await builds(opts.ref);
  const seed = await ensureSeed({ dataDir: DATA, plinthEntry: all[0].entry, port: opts.port, pin: opts.pin, reseed: false, progress: (t) => process.stdout.write(`${t} …\n`) });
  const variants = all.flatMap((build) => opts.modes.map((mode) => ({ build, mode, key: `${build.name}/${mode}` })));
  const results = {};
  for (let round = 1; round <= opts.rounds; round++) {
    for (const workload of opts.workloads) {
      for (const v of variants) {
        const r = await measureOnce(opts, v.build, v.mode, workload, seed);
        ((results[workload] ??= {})[v.key] ??= []).push(r.cpuUsPerRequest);
        process.stdout.write(`round ${round} ${workload} ${v.key}: ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request, ${Math.round(r.rps)} req/s\n`);
      }
    }
  }
  process.stdout.write('\nworkload  variant              median µs CPU/request  rounds               ÷ off of the same build\n');
  for (const workload of opts.workloads) {
    for (const v of variants) {
      const xs = results[workload][v.key];
      const off = results[workload][`${v.build.name}/off`];
      const ratio = off ? (median(xs) / median(off)).toFixed(2) : '–';
      process.stdout.write(`${workload.padEnd(9)} ${v.key.padEnd(20)} ${median(xs).toFixed(1).padStart(21)}  ${xs.map((x) => x.toFixed(1)).join(' ').padEnd(20)} ${ratio}\n`);
    }
  }
  const file = join(BENCH, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}-ab-cpu.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ options: { ...opts, help: undefined }, node: process.version, results }, null, 2));
  process.stdout.write(`\nfigures written to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(err instanceof BenchError ? `ab-cpu: ${err.message}\n` : `ab-cpu: unexpected failure: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
