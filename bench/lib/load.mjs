/**
 * Runs the load worker for one workload against one server, pinned to core 1,
 * and relays its progress to a single status line.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError, pinned } from './servers.mjs';

const WORKER = new URL('./load-worker.mjs', import.meta.url).pathname;

/** Drives `workload` against `url` for `duration` seconds (or `amount` requests after `warmupAmount`); resolves with req/s, p50, p99 (ms) and error counts. */
export function runLoad({ workload, url, token, ctx, connections, duration, warmup, amount, warmupAmount, pin, jobDir, onProgress }) {
  const jobFile = join(jobDir, `job-${workload}.json`);
  writeFileSync(jobFile, JSON.stringify({ workload, url, token, ctx, connections, duration, warmup, amount, warmupAmount }));
  const spec = pinned(pin, 1, process.execPath, [WORKER, jobFile]);
  return new Promise((resolve, reject) => {
    const child = spawn(spec.cmd, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => {
      err += d;
      const lines = err.split('\n');
      err = lines.pop();
      for (const line of lines) {
        try {
          onProgress(JSON.parse(line));
        } catch {
          err += line + '\n';
        }
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new BenchError(`the load generator failed for ${workload} (exit ${code}): ${err.trim()}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new BenchError(`the load generator printed no result for ${workload}: ${out} ${err}`));
      }
    });
  });
}
