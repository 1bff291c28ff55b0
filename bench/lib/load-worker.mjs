/**
 * The load generator process (pinned to core 1 by the runner): drives one
 * workload against one server with autocannon, a warm-up first and discarded,
 * then the measured run. Progress goes to stderr as JSON lines, the result to stdout.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { WORKLOADS } from './workloads.mjs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const workload = WORKLOADS[job.workload];
const headers = job.token ? { authorization: job.token } : {};

/** One autocannon run: `seconds` long, or exactly `amount` requests when given (bench/ab-cpu.mjs). */
function run(phase, seconds, amount) {
  return new Promise((resolve, reject) => {
    let second = 0;
    const instance = autocannon({
      url: job.url,
      connections: job.connections,
      ...(amount > 0 ? { amount } : { duration: seconds }),
      // W7 page 500 and W4 queue 50 requests of 100+ ms each: only a stuck server should time out.
      timeout: 120,
      // NOTE: one request template, re-made for every request, so ids and categories vary.
      requests: [{
        setupRequest(req) {
          const r = workload.request(job.ctx);
          const out = { ...req, method: r.method, path: r.path, headers: { ...headers } };
          if (r.body !== undefined) {
            out.body = JSON.stringify(r.body);
            out.headers['content-type'] = 'application/json';
          }
          return out;
        },
      }],
    }, (err, result) => (err ? reject(err) : resolve(result)));
    instance.on('tick', (counter) => {
      second += 1;
      process.stderr.write(JSON.stringify({ phase, second, seconds, requests: counter.counter }) + '\n');
    });
  });
}

if (job.warmupAmount > 0) await run('warm-up', 0, job.warmupAmount);
else if (job.warmup > 0) await run('warm-up', job.warmup);
// Second 0 of the measured run: the runner starts counting the server's CPU time here.
process.stderr.write(JSON.stringify({ phase: 'measure', second: 0, seconds: job.duration, requests: 0 }) + '\n');
const r = await run('measure', job.duration, job.amount);
process.stdout.write(JSON.stringify({
  requests: r.requests.total,
  duration: r.duration,
  rps: r.requests.total / r.duration,
  p50: r.latency.p50,
  p99: r.latency.p99,
  max: r.latency.max,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
  statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count])),
}) + '\n');
