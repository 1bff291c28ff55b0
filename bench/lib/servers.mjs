/**
 * Starting, pinning, watching and stopping the server processes under test, and
 * the loopback checks around them (port free, ready, memory).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';

/** A BenchError stops the run with its message and no stack trace. */
export class BenchError extends Error {}

/** The only host the benchmark ever talks to. */
export const HOST = '127.0.0.1';

/** Whether `taskset` can pin processes to cores 0 and 1 here. */
export function pinningAvailable() {
  if (availableParallelism() < 2) return false;
  const probe = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** The command prefix that pins a process to `core`, or none when pinning is off. */
export function pinned(pin, core, cmd, args) {
  return pin ? { cmd: 'taskset', args: ['-c', String(core), cmd, ...args] } : { cmd, args };
}

/** Throws a BenchError naming the port when something already listens on it. */
export function assertPortFree(port, flag) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be bound (${err.code ?? err.message})`;
      reject(new BenchError(`port ${port} on ${HOST} ${why}; stop what listens there or choose other ports with ${flag}`));
    });
    probe.listen({ host: HOST, port, exclusive: true }, () => probe.close(resolve));
  });
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** The CPU time a process has used so far (user + system), in microseconds; NaN when unreadable. */
export function cpuTimeOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at `) `; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every mainstream kernel. */
const CLOCK_TICKS = 100;

/** Resets a process's peak RSS (VmHWM) so the next workload's peak is its own; false when the kernel refuses. */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples VmRSS every 100 ms; `stop()` returns the largest value seen (fallback when VmHWM cannot be reset). */
export function sampleRss(pid) {
  let max = memoryOf(pid).rss;
  const timer = setInterval(() => {
    const { rss } = memoryOf(pid);
    if (rss > max || Number.isNaN(max)) max = rss;
  }, 100);
  return { stop: () => (clearInterval(timer), max) };
}

/**
 * Starts a server process pinned to core 0, waits for its first answered request
 * (GET /api/health) and measures that start-up time.
 */
export async function startServer({ name, cmd, args, env, port, logFile, pin }) {
  const out = openSync(logFile, 'w');
  const spec = pinned(pin, 0, cmd, args);
  const started = performance.now();
  const proc = spawn(spec.cmd, spec.args, { env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = null;
  proc.once('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://${HOST}:${port}`;
  for (;;) {
    if (exited) {
      throw new BenchError(`${name} exited during start-up (${exited.code ?? exited.signal}); its output:\n${tail(logFile)}`);
    }
    if (performance.now() - started > 60_000) {
      proc.kill('SIGKILL');
      throw new BenchError(`${name} did not answer ${url}/api/health within 60 s; its output:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/api/health`);
      await res.arrayBuffer();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const startupMs = performance.now() - started;
  return {
    name, url, pid: proc.pid, startupMs, logFile,
    get exited() { return exited; },
    async stop() {
      if (exited) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no output)';
  }
}
