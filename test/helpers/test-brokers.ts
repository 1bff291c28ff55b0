/**
 * The RabbitMQ and NATS a test publishes to: `PLINTH_TEST_AMQP_URL` and
 * `PLINTH_TEST_NATS_URL` (`.ci/run` sets them), else the default ports on loopback when
 * something answers there. A broker that is neither set nor reachable skips its tests
 * with a printed reason. A private nats-server (for authentication and stream names
 * that must not meet the shared server's streams) is started from the binary when present.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a TCP connection to host:port opens within `timeoutMs`. */
export function reachable(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The broker URL of `variable`, or `fallback` when it answers; undefined (with a printed reason) otherwise. */
async function brokerUrl(variable: string, fallback: string, what: string): Promise<string | undefined> {
  const set = process.env[variable]?.trim();
  if (set) return set;
  const url = new URL(fallback);
  if (await reachable(url.hostname, Number(url.port))) return fallback;
  console.log(`[skip] ${variable} is not set and nothing answers on ${url.host}: the ${what} tests are skipped`);
  return undefined;
}

/** The RabbitMQ of the tests, or undefined. */
export function amqpTestUrl(): Promise<string | undefined> {
  return brokerUrl('PLINTH_TEST_AMQP_URL', 'amqp://guest:guest@127.0.0.1:5672', 'RabbitMQ');
}

/** The NATS (with JetStream) of the tests, or undefined. */
export function natsTestUrl(): Promise<string | undefined> {
  return brokerUrl('PLINTH_TEST_NATS_URL', 'nats://127.0.0.1:4222', 'NATS');
}

/** A nats-server of one test file's own. */
export interface PrivateNats {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

/** Starts a private nats-server with JetStream on a free loopback port (optionally with user and password), or undefined without the binary. */
export async function startPrivateNats(auth?: { user: string; pass: string }): Promise<PrivateNats | undefined> {
  if (!NATS_SERVER) {
    console.log('[skip] no nats-server binary: the tests that need a private NATS server are skipped');
    return undefined;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'plinth-nats-'));
  const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, ...(auth ? ['--user', auth.user, '--pass', auth.pass] : [])];
  const child: ChildProcess = spawn(NATS_SERVER, args, { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await reachable('127.0.0.1', port, 200)); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
