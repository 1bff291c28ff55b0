/**
 * The `plinth` command run as a real process (through tsx, from src/), checking
 * exit codes and output the way a user sees them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlitePassOnly } from './helpers/sqlite-pass-only.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'src/cli/main.ts');
// NOTE: `--import tsx` resolves from the working directory, so pass the loader by absolute URL for runs in a temp dir.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const hasApp = existsSync(join(root, 'src/app/create-plinth.ts'));

const scratch = mkdtempSync(join(tmpdir(), 'plinth-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `plinth` process with its output so far. */
function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], {
    cwd: scratch,
    env: { ...withoutPlinthVars(process.env), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  const exited = new Promise<Run>((done) => child.on('close', (code) => done({ ...run, code })));
  return { child, run, exited };
}

function plinth(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  return start(args, env).exited;
}

function withoutPlinthVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('PLINTH_')));
}

/** Resolves with the first match of `pattern` in the process's stdout, or rejects with its output on exit. */
async function waitForOutput(proc: ReturnType<typeof start>, pattern: RegExp): Promise<RegExpMatchArray> {
  for (;;) {
    const match = pattern.exec(proc.run.stdout);
    if (match) return match;
    if (proc.child.exitCode !== null) {
      throw new Error(`exited ${proc.child.exitCode}\nstdout: ${proc.run.stdout}\nstderr: ${proc.run.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const onlyOnce = sqlitePassOnly('the CLI test (it runs plinth on SQLite)');

describe.skipIf(onlyOnce !== undefined)('plinth CLI without a server', () => {
  it('--help prints the usage and exits 0', async () => {
    const result = await plinth(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('plinth <command> [flags]');
    expect(result.stdout).toContain('serve');
    expect(result.stdout).toContain('superuser');
  });

  it('serve --help and superuser --help print their usage', async () => {
    const [serve, superuser] = await Promise.all([plinth(['serve', '--help']), plinth(['superuser', '--help'])]);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toContain('--http=HOST:PORT');
    expect(superuser.code).toBe(0);
    expect(superuser.stdout).toContain('plinth superuser delete EMAIL');
  });

  it('--version prints the version of package.json', async () => {
    const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
    const result = await plinth(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`plinth version ${version}\n`);
  });

  const failures: Array<[string, string[], NodeJS.ProcessEnv, string]> = [
    ['an unknown flag', ['serve', '--frobnicate'], {}, '--frobnicate: unknown option'],
    ['a bad --http', ['serve', '--http=abc'], {}, '--http: "abc" is not HOST:PORT'],
    ['a bad PLINTH_HTTP', ['serve'], { PLINTH_HTTP: 'localhost' }, 'PLINTH_HTTP: "localhost" is not HOST:PORT'],
    ['a flag without its value', ['serve', '--dir'], {}, '--dir: needs a value'],
    ['a bad --outboundAllow', ['serve', '--outboundAllow=127.0.0.0/8,10.0.0.0/33'], {}, '--outboundAllow: "10.0.0.0/33" is not an IP address or CIDR range'],
    ['a bad PLINTH_OUTBOUND_ALLOW', ['serve'], { PLINTH_OUTBOUND_ALLOW: 'intranet' }, 'PLINTH_OUTBOUND_ALLOW: "intranet" is not an IP address or CIDR range'],
    ['an unknown command', ['launch'], {}, 'unknown command "launch"'],
    ['a domain argument', ['serve', 'example.com'], {}, 'domain arguments are not supported'],
    ['superuser create with a bad email', ['superuser', 'create', 'not-an-email', 'secret123456'], {}, '"not-an-email" is not a valid email address'],
    ['superuser delete without an email', ['superuser', 'delete'], {}, 'superuser delete: missing EMAIL'],
  ];
  it.each(failures)('%s exits 2 with a message naming it', async (_name, args, env, message) => {
    const result = await plinth(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe.skipIf(!hasApp || onlyOnce !== undefined)('plinth CLI with the real server', () => {
  it('serve prints the addresses and the first-superuser hint, answers HTTP, and exits 0 on SIGTERM', async () => {
    const dir = join(scratch, 'serve-data');
    const proc = start(['serve', '--http=127.0.0.1:0', `--dir=${dir}`, '--logLevel=silent']);
    const [, url] = await waitForOutput(proc, /Server started at (http:\/\/127\.0\.0\.1:\d+)\n/);
    await waitForOutput(proc, /superuser upsert EMAIL PASSWORD/);
    expect(proc.run.stdout).toContain(`├─ REST API:  ${url}/api/`);
    expect(proc.run.stdout).not.toMatch(/password[:=]/i);

    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBeLessThan(500);

    proc.child.kill('SIGTERM');
    const result = await proc.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Received SIGTERM, shutting down');
  });

  it('serve prints an access line per request on stdout, soon after the answer and before it exits', async () => {
    // Lines are written in chunks (docs/operations.md §Logs, "Stdout"): none may wait long, none be lost on SIGTERM.
    const proc = start(['serve', '--http=127.0.0.1:0', `--dir=${join(scratch, 'access-data')}`, '--logLevel=info']);
    try {
      const [, url] = await waitForOutput(proc, /Server started at (http:\/\/127\.0\.0\.1:\d+)\n/);
      const accessLine = (id: string | null) => proc.run.stdout.split('\n').find((line) => line.includes(`"reqId":"${id}"`) && line.includes('"request completed"'));
      const first = (await fetch(`${url}/api/health?token=abc`)).headers.get('x-request-id');
      await waitForOutput(proc, /"request completed"/);
      expect(JSON.parse(accessLine(first) ?? '{}')).toMatchObject({ level: 30, method: 'GET', url: '/api/health?token=[REDACTED]', statusCode: 200 });

      const last = (await fetch(`${url}/api/health?last=1`)).headers.get('x-request-id');
      proc.child.kill('SIGTERM');
      const result = await proc.exited;
      expect(result.code).toBe(0);
      expect(accessLine(last)).toBeDefined();
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    }
  }, 60_000);

  it('serve on a taken port exits 1 naming the address', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await plinth(['serve', `--http=127.0.0.1:${port}`, `--dir=${join(scratch, 'busy-data')}`, '--logLevel=silent']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it('superuser upsert, create, update, delete work on a data directory, and serve then shows no hint', async () => {
    const dir = join(scratch, 'superuser-data');
    const email = 'admin@example.com';

    const upsert = await plinth(['superuser', 'upsert', email, 'first-secret-123', `--dir=${dir}`]);
    expect(upsert).toMatchObject({ code: 0, stdout: `Successfully saved superuser "${email}"!\n` });

    const again = await plinth(['superuser', 'create', email, 'other-secret-123', `--dir=${dir}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: /);

    const update = await plinth(['superuser', 'update', email, 'second-secret-123'], { PLINTH_DIR: dir });
    expect(update.code).toBe(0);

    const proc = start(['serve', '--http=127.0.0.1:0', `--dir=${dir}`, '--logLevel=silent']);
    await waitForOutput(proc, /└─ Data dir: .*\n/);
    proc.child.kill('SIGINT');
    const served = await proc.exited;
    expect(served.code).toBe(0);
    expect(served.stdout).not.toContain('No superuser exists yet');

    // As in PocketBase, the only superuser cannot be deleted.
    const lastOne = await plinth(['superuser', 'delete', email, `--dir=${dir}`]);
    expect(lastOne.code).toBe(1);
    expect(lastOne.stderr).toMatch(/^Error: .+\n$/);

    const second = await plinth(['superuser', 'create', 'second@example.com', 'third-secret-123', `--dir=${dir}`]);
    expect(second).toMatchObject({ code: 0, stdout: 'Successfully created new superuser "second@example.com"!\n' });
    const removed = await plinth(['superuser', 'delete', email, `--dir=${dir}`]);
    expect(removed).toMatchObject({ code: 0, stdout: `Successfully deleted superuser "${email}"!\n` });
    // Seven process starts one after another: 2–5 s each on a busy 2-core machine, past the default 30 s.
  }, 120_000);
});
