/**
 * `plinth serve`: loads the configuration, builds the node, listens, and closes
 * it gracefully on SIGINT or SIGTERM.
 */
import { CONFIG_DEFAULTS } from '../config/config.js';
import { loadConfig, type ConfigFlags } from '../config/load-config.js';
import { isConfigError } from '../config/config-error.js';
import { resolve } from 'node:path';
import type { Plinth } from '../app/plinth.js';
import { isMigrationError } from '../app/migration-error.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';
import { isUserCodeError, userCodeMessage } from './user-code-message.js';
import { startDevReload } from './serve-dev-reload.js';
import { dashboardDir, hasDashboardBuild } from './dashboard-build.js';

const SERVE_OPTIONS = {
  http: { type: 'string' },
  dir: { type: 'string' },
  origins: { type: 'string' },
  dev: { type: 'boolean' },
  hooksDir: { type: 'string' },
  logLevel: { type: 'string' },
  bodyLimit: { type: 'string' },
  queryTimeout: { type: 'string' },
  trustedProxy: { type: 'string' },
  outboundAllow: { type: 'string' },
  requestTimeout: { type: 'string' },
  shutdownDelay: { type: 'string' },
  maxRealtimeStreams: { type: 'string' },
  maxRealtimeStreamsPerIp: { type: 'string' },
  connectionsPerIp: { type: 'string' },
  bodyMemoryLimit: { type: 'string' },
  databaseUrl: { type: 'string' },
  redisUrl: { type: 'string' },
  redisPrefix: { type: 'string' },
  migrationsDir: { type: 'string' },
  automigrate: { type: 'boolean' },
  encryptionEnv: { type: 'string' },
  jobPollInterval: { type: 'string' },
  jobVisibilityTimeout: { type: 'string' },
  metricsToken: { type: 'string' },
  noDashboard: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

const CONFIG_FLAGS = ['http', 'dir', 'origins', 'dev', 'hooksDir', 'logLevel', 'bodyLimit', 'queryTimeout', 'trustedProxy', 'outboundAllow', 'requestTimeout', 'shutdownDelay', 'maxRealtimeStreams', 'maxRealtimeStreamsPerIp', 'connectionsPerIp', 'bodyMemoryLimit', 'databaseUrl', 'redisUrl', 'redisPrefix',
  'migrationsDir', 'automigrate', 'jobPollInterval', 'jobVisibilityTimeout',
  'metricsToken'] as const;

/** How long a graceful close may take before the process gives up on it. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Runs `plinth serve` until a shutdown signal; resolves with the exit code. */
export async function runServe(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, SERVE_OPTIONS, 'serve');
  if (values.help) {
    ctx.stdout(helpText('serve'));
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `domain arguments are not supported (${positionals.join(' ')}): Plinth has no automatic TLS; ` +
        'put it behind a TLS-terminating proxy and use --http=HOST:PORT',
      'serve',
    );
  }
  noteEncryptionEnv(values.encryptionEnv, ctx);

  const flags: ConfigFlags = {};
  for (const name of CONFIG_FLAGS) flags[name] = values[name];
  const config = loadConfig(flags, ctx.env, ctx.cwd);
  if (!values.noDashboard) {
    const dir = dashboardDir();
    if (hasDashboardBuild(dir)) config.dashboardDir = dir;
    else ctx.stderr(`Warning: no dashboard build in ${dir}; /_/ is not served. Build it with npm run build (docs/dashboard.md).\n`);
  }

  let plinth: Plinth;
  try {
    // The composition root derives the HTTP logger from config.logLevel.
    plinth = await ctx.createPlinth(config);
  } catch (err) {
    // A database or Redis that cannot be reached names its setting (DATABASE_URL, REDIS_URL) and the reason.
    if (isConfigError(err)) throw err;
    if (isUserCodeError(err)) ctx.stderr(`Error: ${userCodeMessage(err, ctx.cwd)}\n`);
    else ctx.stderr(`Error: cannot start Plinth with data directory ${config.dir}: ${errorMessage(err)}\n`);
    return 1;
  }

  // Listen for signals before binding, so a Ctrl+C during start-up still closes the database cleanly.
  const shutdown = shutdownSignal(ctx);
  let address: { host: string; port: number; url: string };
  try {
    address = await plinth.listen();
  } catch (err) {
    shutdown.cancel();
    // A migration that fails names its file, and a hooks file's plugin that throws its file
    // and line; the start stops before listening.
    const reason = isMigrationError(err) ? err.message : isUserCodeError(err) ? userCodeMessage(err, ctx.cwd) : listenErrorMessage(err, config.http);
    ctx.stderr(`Error: ${reason}\n`);
    await plinth.close().catch(() => undefined);
    return 1;
  }
  const url = address.url.replace(/\/+$/, '');
  const hint = await superuserHint(plinth, config.dir, url, ctx);
  const hooks = config.hooksDir ? `├─ Hooks dir: ${config.hooksDir}${config.dev ? ' (reloaded on change)' : ''}\n` : '';
  const dashboard = config.dashboardDir ? `├─ Dashboard: ${url}/_/\n` : '';
  ctx.stdout(`Server started at ${url}\n├─ REST API:  ${url}/api/\n${dashboard}${hooks}└─ Data dir:  ${config.dir}\n${hint}`);

  // --dev: a change in the hooks folder rebuilds the node in this process, on the same address.
  const reloader = config.dev && config.hooksDir
    ? startDevReload({ ...config, hooksDir: config.hooksDir, http: { host: address.host, port: address.port } }, plinth, ctx)
    : undefined;

  const signal = await shutdown.received;
  ctx.stdout(`Received ${signal}, shutting down…\n`);
  return closeWithin(reloader ? await reloader.stop() : plinth, CLOSE_TIMEOUT_MS + (config.shutdownDelay ?? 0) * 1000, ctx);
}

/** The first shutdown signal, as a promise, and a way to stop waiting for it. */
function shutdownSignal(ctx: CliContext): { received: Promise<string>; cancel: () => void } {
  let cancel = (): void => undefined;
  const received = new Promise<string>((done) => {
    // NOTE: after the first signal we stop listening, so a second Ctrl+C gets Node's default and kills at once.
    const stop = ctx.onShutdownSignal((sig) => {
      stop();
      done(sig);
    });
    cancel = stop;
  });
  return { received, cancel };
}

function noteEncryptionEnv(name: string | boolean | undefined, ctx: CliContext): void {
  if (typeof name !== 'string') return;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--encryptionEnv: "${name}" is not an environment variable name`, 'serve');
  }
  ctx.stderr('Note: --encryptionEnv is accepted for PocketBase compatibility and ignored; Plinth does not encrypt its settings.\n');
}

/**
 * The lines telling how to create the first superuser, or nothing when one exists: the
 * one-time install link (docs/security.md, "First-run install link") and the command.
 */
async function superuserHint(plinth: Plinth, dir: string, url: string, ctx: CliContext): Promise<string> {
  let count: number;
  try {
    count = await plinth.superusers.count();
  } catch (err) {
    ctx.stderr(`Warning: could not count superusers: ${errorMessage(err)}\n`);
    return '';
  }
  if (count > 0) return '';
  const dirFlag = dir === resolve(ctx.cwd, CONFIG_DEFAULTS.dir) ? '' : ` --dir=${shellQuote(dir)}`;
  const command = `  npx plinth superuser upsert EMAIL PASSWORD${dirFlag}\n(there is no default password)\n`;
  // The link opens the dashboard: without one (--noDashboard, no build) no installer is made.
  const link = plinth.config.dashboardDir ? await installLink(plinth, url, ctx) : null;
  if (!link) return `\nNo superuser exists yet. Create the first one with:\n${command}`;
  return (
    '\nNo superuser exists yet. Open this one-time link (valid 30 minutes) to create the first one:\n' +
    `  ${link}\n` +
    `or create it with:\n${command}`
  );
}

/** The dashboard's install link with a fresh installer token, or null when none could be made. */
async function installLink(plinth: Plinth, url: string, ctx: CliContext): Promise<string | null> {
  if (!plinth.installer) return null;
  try {
    const token = await plinth.installer.installToken();
    return token ? `${url}/_/#/install/${token}` : null;
  } catch (err) {
    ctx.stderr(`Warning: could not make the install link: ${errorMessage(err)}\n`);
    return null;
  }
}

async function closeWithin(plinth: Plinth, ms: number, ctx: CliContext): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), ms);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([plinth.close().then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') {
      ctx.stderr(`Error: the server did not close within ${ms / 1000}s; exiting anyway.\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    ctx.stderr(`Error: closing the server failed: ${errorMessage(err)}\n`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

/** A sentence for a failed listen that names the address, for the errors a user can fix. */
function listenErrorMessage(err: unknown, http: { host: string; port: number }): string {
  const address = http.host.includes(':') ? `[${http.host}]:${http.port}` : `${http.host}:${http.port}`;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${address}: the address is already in use; stop the other server or choose another --http`;
    case 'EACCES':
      return `cannot listen on ${address}: permission denied (ports below 1024 need privileges)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address}: the address is not available on this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${address}: the host name "${http.host}" does not resolve`;
    default:
      return `cannot listen on ${address}: ${errorMessage(err)}`;
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function shellQuote(value: string): string {
  return /^[\w./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
