/**
 * The results table and the JSON file of a run, with each workload's target
 * from the Performance issue.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Minimum Plinth ÷ baseline throughput ratio per workload. */
export const RATIO_TARGETS = { W1: 0.8, W2: 0.8, W2s: 0.8, W3: 0.7, W4: 0.9, W5: 0.7, W6: 0.7 };
/** W7's target is a latency: p99 below this many ms at one connection. */
export const W7_P99_TARGET_MS = 10;
/** Start-up to first answered request, and idle memory, of Plinth. */
export const STARTUP_TARGET_MS = 500;
export const IDLE_RSS_TARGET_MB = 80;

const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(0)} MB` : '?');
const ms = (v) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)}` : '?');
const us = (v) => (Number.isFinite(v) ? v.toFixed(0) : '?');
const rps = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '?');

/** The verdict on one workload's target, as text. */
export function verdict(row) {
  if (row.invalid) return `INVALID: ${row.invalid}`;
  if (row.id.startsWith('W7')) {
    const p99 = row.plinth.latency1?.p99;
    if (!row.plinth.latency1?.requests) return 'p99@1conn: no request completed';
    return Number.isFinite(p99) ? `p99@1conn ${ms(p99)} ms ${p99 < W7_P99_TARGET_MS ? 'ok' : 'MISSED'} (<${W7_P99_TARGET_MS})` : '';
  }
  const target = RATIO_TARGETS[row.id];
  if (!target) return '';
  return `${row.ratio >= target ? 'ok' : 'MISSED'} (≥${target.toFixed(2)})`;
}

function pad(cells, widths) {
  return cells.map((c, i) => (i === 0 || i === cells.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

/** Renders the results table of a run. */
export function renderTable(result) {
  const head = ['workload', 'Plinth req/s', 'p50 ms', 'p99 ms', 'peak RSS', 'CPU µs/req', 'baseline req/s', 'p50 ms', 'p99 ms', 'peak RSS', 'CPU µs/req', 'Plinth ÷ base', 'CPU ratio', 'target'];
  const rows = result.workloads.map((w) => w.notAvailable || w.figures
    ? [w.id, '—', '', '', w.figures ? mb(realtimeRssMiB(w.figures) * 1048576) : '', '', '—', '', '', '', '', '', '', w.figures ? realtimeVerdict(w.figures) : `not available: ${w.notAvailable}`]
    : [w.id, rps(w.plinth.rps), ms(w.plinth.p50), ms(w.plinth.p99), mb(w.plinth.peakRss), us(w.plinth.cpuUsPerRequest),
      rps(w.baseline.rps), ms(w.baseline.p50), ms(w.baseline.p99), mb(w.baseline.peakRss), us(w.baseline.cpuUsPerRequest),
      Number.isFinite(w.ratio) ? w.ratio.toFixed(2) : '?', Number.isFinite(w.cpuRatio) ? w.cpuRatio.toFixed(2) : '?', verdict(w)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const lines = [databaseLine(result), '', pad(head, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => pad(r, widths))];
  const s = result.startup;
  lines.push('');
  lines.push(`start-up to first answered request: Plinth ${ms(s.plinth.startupMs)} ms ${s.plinth.startupMs < STARTUP_TARGET_MS ? 'ok' : 'MISSED'} (<${STARTUP_TARGET_MS}), baseline ${ms(s.baseline.startupMs)} ms`);
  lines.push(`idle RSS: Plinth ${mb(s.plinth.idleRss)} ${s.plinth.idleRss < IDLE_RSS_TARGET_MB * 1048576 ? 'ok' : 'MISSED'} (<${IDLE_RSS_TARGET_MB} MB), baseline ${mb(s.baseline.idleRss)}`);
  for (const w of result.workloads.filter((x) => x.probe)) lines.push(`${w.id}: ${w.probe}`);
  return lines.join('\n');
}

/** R1's targets: RSS with 10,000 idle clients, and commit → delivery p99. */
export const R1_RSS_TARGET_MB = 200;
export const R1_P99_TARGET_MS = 50;

/**
 * R1's RSS: the peak while the writes run with every idle client connected (older
 * probes reported only the RSS just after connecting).
 */
function realtimeRssMiB(f) {
  return f.rssPeakMiB ?? f.rssIdleMiB;
}

/**
 * The verdict on R1's figures from bench/realtime/probe.mjs. Its response → delivery
 * time estimates commit → delivery; write → delivery (which adds the write's own
 * queueing) is shown as the upper bound.
 */
function realtimeVerdict(f) {
  const rss = realtimeRssMiB(f) < R1_RSS_TARGET_MB ? 'ok' : 'MISSED';
  const p99 = f.responseToDeliveryMs?.p99;
  const lat = Number.isFinite(p99) && p99 < R1_P99_TARGET_MS ? 'ok' : 'MISSED';
  return `${f.clients} idle: RSS ${rss} (<${R1_RSS_TARGET_MB} MB; ${f.rssPerConnectionKiB} KiB/conn); commit→delivery p99 ${ms(p99)} ms ${lat} (<${R1_P99_TARGET_MS}; write→delivery p99 ${ms(f.writeToDeliveryMs?.p99)} ms)`;
}

/** The table's header line: which database both servers ran on. */
function databaseLine(result) {
  if (result.dialect === 'postgres') {
    const server = result.database?.server ?? 'PostgreSQL';
    return `dialect: postgres (${server}, a separate service, not pinned) — baseline: node:http + pg on the same database`;
  }
  return 'dialect: sqlite (embedded file) — baseline: node:http + better-sqlite3 on the same database file';
}

/** Writes the run's figures to bench/results/<time>-<dialect>.json and returns the path. */
export function writeResult(dir, result) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}-${result.dialect}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}
