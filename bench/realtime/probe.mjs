#!/usr/bin/env node
/**
 * R1, the realtime probe: opens N idle SSE clients on a Plinth node (raw HTTP on
 * loopback, not EventSource, so the client side stays light), then measures the
 * node's RSS per connection and, with a few active subscribers of `products/*`,
 * the time from a write to its delivery at a fixed write rate.
 *
 * Memory is read from /proc/<pid>/status at four points: before (the node idle),
 * the peak while the N clients connect (VmHWM; a storm of N connections in a few
 * seconds, so V8's young generation grows for it), 3 s after they are all connected
 * (`rssIdleMiB`, which gives the per-connection figure), and the peak of the workload
 * itself: N idle clients while the writes run (VmHWM reset once all are connected,
 * `rssPeakMiB`; garbage of the writes piles up in V8's old space until a major GC).
 *
 *   node bench/realtime/probe.mjs                      # starts its own node (tsx) in a temp dir
 *   node bench/realtime/probe.mjs --url=URL --pid=PID  # against a seeded bench node (npm run bench),
 *                                                     # started with --maxRealtimeStreamsPerIp ≥ clients
 *   options: --clients=10000 --rate=100 --seconds=10 --active=10
 *
 * Human-readable lines go to stderr; the last stdout line is the JSON result.
 * Latency is measured in this process from just before the create request is
 * sent to the arrival of the event, so it bounds commit → delivery from above.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCH_USER = { email: 'bench@example.com', password: 'bench-password-123' };
const ADMIN = { email: 'probe-admin@example.com', password: 'probe-admin-password' };

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const [k, v] = a.replace(/^--/, '').split('=');
  return [k, v ?? 'true'];
}));
const N = Number(args.clients ?? 10_000);
const RATE = Number(args.rate ?? 100);
const SECONDS = Number(args.seconds ?? 10);
const ACTIVE = Number(args.active ?? 10);
const log = (text) => process.stderr.write(`${text}\n`);

/** Resident memory of a process in bytes (Linux /proc). */
function rssOf(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Tracks a process's peak RSS from now on: the kernel's VmHWM after resetting it
 * (/proc/<pid>/clear_refs), or, when the kernel refuses, the largest VmRSS sampled
 * every 100 ms. `stop()` returns the peak in bytes.
 */
function trackPeak(pid) {
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  let max = rssOf(pid);
  const timer = setInterval(() => { max = Math.max(max, rssOf(pid)); }, 100);
  return {
    stop() {
      clearInterval(timer);
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return reset && hwm ? Math.max(Number(hwm[1]) * 1024, max) : Math.max(max, rssOf(pid));
    },
  };
}

/** One JSON request over a keep-alive agent. */
function request(base, agent, method, path, body, token) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(base + path, {
      method, agent,
      headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...(token ? { authorization: token } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Opens one SSE stream on its own socket; resolves with its client id once
 * PB_CONNECT arrived. `onEvent(name, data)` hears every later frame.
 */
function openStream(base, onEvent) {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/realtime`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`GET /api/realtime: ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      let clientId;
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(frame.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
          if (!clientId && fields.event === 'PB_CONNECT') {
            clientId = fields.id;
            resolve({ clientId, close: () => req.destroy(), closed: () => res.closed });
          } else onEvent?.(fields.event, fields.data);
        }
      });
    });
    req.on('error', reject);
  });
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x) => Math.round(x * 100) / 100;

/** Starts a node of this checkout in a temp dir (tsx), with the probe's collection and user. */
async function startOwnNode() {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-rt-probe-'));
  const port = 18190 + Math.floor(Math.random() * 500);
  const cli = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];
  const upsert = spawnSync(process.execPath, [...cli, 'superuser', 'upsert', ADMIN.email, ADMIN.password, `--dir=${dir}`], { cwd: ROOT, encoding: 'utf8' });
  if (upsert.status !== 0) throw new Error(`superuser upsert failed: ${upsert.stderr}`);
  // SECURITY: loopback only.
  // Every client of the probe comes from 127.0.0.1: the per-IP cap must hold them all.
  const caps = [`--maxRealtimeStreams=${N + ACTIVE + 100}`, `--maxRealtimeStreamsPerIp=${N + ACTIVE + 100}`];
  const child = spawn(process.execPath, [...cli, 'serve', `--http=127.0.0.1:${port}`, `--dir=${dir}`, ...caps, '--connectionsPerIp=0'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch { /* not up yet */ }
    if (i > 300) throw new Error('the node did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  const agent = new http.Agent({ keepAlive: true });
  const su = await request(url, agent, 'POST', '/api/collections/_superusers/auth-with-password', { identity: ADMIN.email, password: ADMIN.password });
  const token = su.body.token;
  await request(url, agent, 'POST', '/api/collections', {
    name: 'products', type: 'base', listRule: '', viewRule: '', createRule: '@request.auth.id != ""',
    fields: [{ name: 'name', type: 'text' }, { name: 'price', type: 'number' }, { name: 'category', type: 'text' }],
  }, token);
  await request(url, agent, 'POST', '/api/collections/users/records', { email: BENCH_USER.email, password: BENCH_USER.password, passwordConfirm: BENCH_USER.password }, token);
  agent.destroy();
  return {
    url, pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main() {
  const node = args.url ? { url: args.url, pid: Number(args.pid), stop: async () => undefined } : await startOwnNode();
  if (!Number.isFinite(node.pid)) throw new Error('--pid is required with --url');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const deadline = Date.now() + 10 * 60_000;
  try {
    const login = await request(node.url, agent, 'POST', '/api/collections/users/auth-with-password', { identity: BENCH_USER.email, password: BENCH_USER.password });
    if (login.status !== 200) throw new Error(`bench user sign-in failed: ${login.status}`);
    const token = login.body.token;

    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssOf(node.pid);
    log(`node RSS before: ${(rssBefore / 1048576).toFixed(1)} MiB; opening ${N} idle clients …`);

    // Idle clients: each subscribes to a record of `products` that is never written, so it
    // holds a subscription on the written collection but receives nothing.
    const idle = [];
    const connectPeak = trackPeak(node.pid);
    const started = performance.now();
    await pool(Array.from({ length: N }, (_, i) => i), 200, async (i) => {
      if (Date.now() > deadline) throw new Error('time limit reached while connecting');
      const stream = await openStream(node.url);
      const set = await request(node.url, agent, 'POST', '/api/realtime', { clientId: stream.clientId, subscriptions: [`products/idle${i.toString(36).padStart(11, '0')}`] });
      if (set.status !== 204) throw new Error(`subscribe: ${set.status}`);
      idle.push(stream);
    });
    log(`${idle.length} idle clients connected and subscribed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 3000));
    const rssConnectPeak = connectPeak.stop();
    const rssIdle = rssOf(node.pid);
    const perClient = (rssIdle - rssBefore) / N;
    log(`node RSS with ${N} idle clients: ${(rssIdle / 1048576).toFixed(1)} MiB → ${(perClient / 1024).toFixed(1)} KiB per connection (peak while connecting ${(rssConnectPeak / 1048576).toFixed(1)} MiB)`);
    const workloadPeak = trackPeak(node.pid);

    // Active subscribers and the writer.
    const runId = Math.random().toString(36).slice(2, 8);
    const sentAt = new Map();
    const receivedAt = [];
    const latencies = [];
    let delivered = 0;
    const onEvent = (_name, data) => {
      const name = JSON.parse(data).record?.name ?? '';
      const t = sentAt.get(name);
      if (t !== undefined) {
        const now = performance.now();
        latencies.push(now - t);
        receivedAt.push([name, now]);
        delivered++;
      }
    };
    const answeredAt = new Map();
    const active = [];
    for (let i = 0; i < ACTIVE; i++) {
      const stream = await openStream(node.url, onEvent);
      await request(node.url, agent, 'POST', '/api/realtime', { clientId: stream.clientId, subscriptions: ['products/*'] });
      active.push(stream);
    }
    log(`writing ${RATE}/s for ${SECONDS} s with ${ACTIVE} active subscribers …`);
    const writeMs = [];
    const total = RATE * SECONDS;
    const writes = [];
    const t0 = performance.now();
    for (let seq = 0; seq < total; seq++) {
      const due = t0 + (seq * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const name = `rt-${runId}-${seq}`;
      const start = performance.now();
      sentAt.set(name, start);
      writes.push(request(node.url, agent, 'POST', '/api/collections/products/records', { name, price: 1, category: 'bench-realtime' }, token)
        .then((res) => {
          if (res.status !== 200) throw new Error(`create: ${res.status}`);
          writeMs.push(performance.now() - start);
          answeredAt.set(name, performance.now());
        }));
    }
    await Promise.all(writes);
    const achieved = total / ((performance.now() - t0) / 1000);
    const expected = total * ACTIVE;
    const waitUntil = Date.now() + 5000;
    while (delivered < expected && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    const rssEnd = rssOf(node.pid);
    const rssPeak = workloadPeak.stop();
    const stillOpen = idle.filter((s) => !s.closed()).length;

    // The response leaves right after the commit, so "event arrival − response arrival"
    // estimates commit → delivery without the write's own queueing (negative: the event won).
    const afterResponse = receivedAt.map(([name, t]) => t - answeredAt.get(name)).filter(Number.isFinite).sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    writeMs.sort((a, b) => a - b);
    const result = {
      clients: N, idleStillOpen: stillOpen,
      rssBeforeMiB: round(rssBefore / 1048576), rssConnectPeakMiB: round(rssConnectPeak / 1048576), rssIdleMiB: round(rssIdle / 1048576),
      rssPeakMiB: round(rssPeak / 1048576), rssAfterWritesMiB: round(rssEnd / 1048576), rssPerConnectionKiB: round(perClient / 1024),
      writes: total, writesPerSecond: round(achieved), activeSubscribers: ACTIVE,
      deliveries: delivered, missingDeliveries: expected - delivered,
      writeToDeliveryMs: { p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)), max: round(latencies.at(-1) ?? NaN) },
      responseToDeliveryMs: { p50: round(quantile(afterResponse, 0.5)), p99: round(quantile(afterResponse, 0.99)) },
      loadAverage1m: round(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])),
      createRequestMs: { p50: round(quantile(writeMs, 0.5)), p99: round(quantile(writeMs, 0.99)) },
    };
    log(`node RSS peak with ${N} idle clients during the writes: ${(rssPeak / 1048576).toFixed(1)} MiB, at the end ${(rssEnd / 1048576).toFixed(1)} MiB`);
    log(`write → delivery p50 ${result.writeToDeliveryMs.p50} ms, p99 ${result.writeToDeliveryMs.p99} ms; response → delivery p50 ${result.responseToDeliveryMs.p50} ms, p99 ${result.responseToDeliveryMs.p99} ms; ${delivered}/${expected} delivered; ${stillOpen}/${N} idle clients still open`);
    for (const s of [...idle, ...active]) s.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    agent.destroy();
    await node.stop();
  }
}

main().then(() => process.exit(0), (err) => {
  log(`realtime probe failed: ${err?.stack ?? err}`);
  process.exit(1);
});
