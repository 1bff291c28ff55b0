/**
 * The command-line options of `npm run bench -- …`, validated up front so a
 * typo stops the run before anything starts.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_POSTGRES_URL, postgresTarget } from './seed-postgres.mjs';
import { BenchError } from './servers.mjs';
import { WORKLOADS } from './workloads.mjs';

/** Every workload id the runner knows, in run order; R1 is the realtime probe. */
export const ALL_WORKLOADS = [...Object.keys(WORKLOADS), 'R1'];

/** The help text of the runner. */
export const USAGE = `Usage: npm run bench -- [options]

  --workloads=W1,W2,…   workloads to run (default: all of ${ALL_WORKLOADS.join(',')})
  --duration=SECONDS    measured seconds per workload and server (default 10; W4 runs 3×)
  --warmup=SECONDS      discarded warm-up before each measurement (default 2)
  --connections=N       concurrent connections of the load generator (default 50)
  --dialect=sqlite|postgres   the database Plinth runs on (default sqlite)
  --postgres-url=URL    with --dialect=postgres: the bench database (default env BENCH_POSTGRES_URL,
                        else postgres://postgres@127.0.0.1:5432/plinth_bench); created if missing,
                        each run works on a copy named <database>_run
  --quick               a short smoke run: --duration=3 --warmup=1
  --port=N              Plinth listens on N, the baseline on N+1 (default 18090), both on 127.0.0.1
  --profile             run Plinth under node --cpu-prof; the .cpuprofile lands in bench/results/profiles/
  --reseed              rebuild the cached data set in bench/.data/
  --no-pin              do not pin the servers and the load generator to cores 0 and 1
  --node-flags=FLAGS    extra Node flags for Plinth, space-separated (e.g. --node-flags=--optimize-for-size)
  --help                this text
`;

/** Parses argv into the run options; throws a BenchError on a bad value. */
export function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        workloads: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' },
        connections: { type: 'string' }, dialect: { type: 'string' }, 'postgres-url': { type: 'string' }, quick: { type: 'boolean' },
        port: { type: 'string' }, profile: { type: 'boolean' }, reseed: { type: 'boolean' },
        'no-pin': { type: 'boolean' }, 'node-flags': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new BenchError(`${err.message}\n\n${USAGE}`);
  }
  const number = (name, fallback, min, max) => {
    const raw = parsed[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new BenchError(`--${name}=${raw}: expected a number from ${min} to ${max}`);
    return n;
  };
  const workloads = (parsed.workloads ?? ALL_WORKLOADS.join(',')).split(',').map((w) => w.trim()).filter(Boolean);
  const unknown = workloads.filter((w) => !ALL_WORKLOADS.includes(w));
  if (unknown.length > 0) throw new BenchError(`--workloads: unknown ${unknown.join(', ')}; known: ${ALL_WORKLOADS.join(', ')}`);
  const dialect = parsed.dialect ?? 'sqlite';
  if (dialect !== 'sqlite' && dialect !== 'postgres') throw new BenchError(`--dialect=${dialect}: expected sqlite or postgres`);
  const postgresUrl = parsed['postgres-url'] ?? process.env.BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL;
  if (dialect === 'postgres') postgresTarget(postgresUrl);
  return {
    help: parsed.help ?? false,
    workloads: ALL_WORKLOADS.filter((w) => workloads.includes(w)),
    duration: number('duration', parsed.quick ? 3 : 10, 1, 3600),
    warmup: number('warmup', parsed.quick ? 1 : 2, 0, 600),
    connections: number('connections', 50, 1, 10_000),
    dialect,
    postgresUrl,
    port: number('port', 18090, 1024, 65534),
    profile: parsed.profile ?? false,
    reseed: parsed.reseed ?? false,
    pin: !parsed['no-pin'],
    nodeFlags: nodeFlags(parsed['node-flags']),
  };
}

/** The words of --node-flags; each must be a flag (`--x` or `--x=y`), so nothing else reaches the command line. */
function nodeFlags(raw) {
  const flags = (raw ?? '').split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !/^--[\w-]+(=[\w.,:-]*)?$/.test(f));
  if (bad) throw new BenchError(`--node-flags: "${bad}" is not a Node flag (--name or --name=value)`);
  return flags;
}
