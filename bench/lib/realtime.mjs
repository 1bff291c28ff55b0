/**
 * R1 (10,000 idle SSE clients, commit → delivery latency) is measured by the
 * realtime probe in bench/realtime/, when Plinth has realtime; otherwise the
 * table says it is not available.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pinned } from './servers.mjs';

const PROBES = ['probe.mjs', 'probe.js', 'probe.ts'];

/** Whether Plinth answers GET /api/realtime with an event stream. */
async function hasRealtime(url) {
  const controller = new AbortController();
  try {
    const res = await fetch(`${url}/api/realtime`, { signal: controller.signal });
    return res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
  } catch {
    return false;
  } finally {
    controller.abort();
  }
}

/** Runs the realtime probe against Plinth, or returns a "not available" row. */
export async function runRealtimeProbe({ bench, plinth, pin, progress }) {
  const row = { id: 'R1', title: '10,000 idle SSE clients, 100 writes/s' };
  const probe = PROBES.map((p) => join(bench, 'realtime', p)).find((p) => existsSync(p));
  if (!probe) return { ...row, notAvailable: 'no probe in bench/realtime/' };
  if (!(await hasRealtime(plinth.url))) return { ...row, notAvailable: 'Plinth does not serve GET /api/realtime' };
  progress('R1: running the realtime probe …');
  const runner = probe.endsWith('.ts') ? ['--import', 'tsx', probe] : [probe];
  const spec = pinned(pin, 1, process.execPath, [...runner, `--url=${plinth.url}`, `--pid=${plinth.pid}`]);
  const out = await new Promise((resolve) => {
    const child = spawn(spec.cmd, spec.args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.once('exit', (code) => resolve({ code, text }));
  });
  const last = out.text.trim().split('\n').pop() ?? '';
  try {
    const figures = JSON.parse(last);
    return { ...row, figures, probe: JSON.stringify(figures) };
  } catch {
    return { ...row, notAvailable: `the probe exited ${out.code} without a JSON result: ${last.slice(0, 200)}` };
  }
}
