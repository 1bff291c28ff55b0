import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PlinthConfig } from '../config/config.js';
import type { Plinth, SuperuserAdmin } from '../app/plinth.js';
import { AppError } from '../errors/app-error.js';
import type { CliContext, CreatePlinthOptions } from './cli-context.js';
import { runCli } from './run-cli.js';
import { codeError } from '../errors/code-error.js';

interface FakeOptions {
  superuserCount?: number;
  listenError?: Error;
  admin?: Partial<SuperuserAdmin>;
}

/** A CliContext over a fake Plinth that records what the CLI did with it. */
function fakeContext(options: FakeOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: string[] = [];
  const created: Array<{ config: PlinthConfig; options?: CreatePlinthOptions }> = [];
  let signalHandler: ((signal: string) => void) | undefined;
  const admin: SuperuserAdmin = {
    upsert: async (email, password) => void calls.push(`upsert ${email} ${password}`),
    create: async (email, password) => void calls.push(`create ${email} ${password}`),
    update: async (email, password) => void calls.push(`update ${email} ${password}`),
    delete: async (email) => void calls.push(`delete ${email}`),
    count: async () => options.superuserCount ?? 0,
    ...options.admin,
  };
  const ctx: CliContext = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    env: {},
    cwd: '/srv',
    version: '9.8.7',
    createPlinth: async (config, opts) => {
      created.push({ config, options: opts });
      const plinth: Plinth = {
        config,
        superusers: admin,
        listen: async () => {
          if (options.listenError) throw options.listenError;
          return { host: config.http.host, port: 4321, url: `http://${config.http.host}:4321` };
        },
        close: async () => void calls.push('close'),
      };
      return plinth;
    },
    onShutdownSignal: (handler) => {
      signalHandler = handler;
      return () => {
        signalHandler = undefined;
      };
    },
  };
  return {
    ctx,
    calls,
    created,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    signal: (name: string) => signalHandler?.(name),
    listening: () => signalHandler !== undefined,
  };
}

describe('runCli help and version', () => {
  const cases: Array<[string[], string]> = [
    [[], 'plinth <command> [flags]'],
    [['--help'], 'plinth <command> [flags]'],
    [['-h'], 'plinth <command> [flags]'],
    [['help'], 'plinth <command> [flags]'],
    [['help', 'serve'], 'plinth serve [flags]'],
    [['serve', '--help'], 'plinth serve [flags]'],
    [['serve', '-h', '--http=bad'], 'plinth serve [flags]'],
    [['superuser', '--help'], 'plinth superuser upsert EMAIL PASSWORD'],
    [['superuser'], 'plinth superuser upsert EMAIL PASSWORD'],
    [['--help', 'superuser'], 'plinth superuser upsert EMAIL PASSWORD'],
    [['--version'], 'plinth version 9.8.7'],
    [['-v'], 'plinth version 9.8.7'],
  ];
  it.each(cases)('%j prints %s and exits 0', async (argv, expected) => {
    const fake = fakeContext();
    expect(await runCli(argv, fake.ctx)).toBe(0);
    expect(fake.stdout()).toContain(expected);
    expect(fake.stderr()).toBe('');
  });
});

describe('runCli usage and configuration errors exit 2 with a message naming the culprit', () => {
  const cases: Array<[string[], string]> = [
    [['bogus'], 'Error: unknown command "bogus"'],
    [['help', 'bogus'], 'Error: unknown command "bogus"'],
    [['--nope'], 'Error: --nope: unknown option'],
    [['serve', '--nope'], 'Error: --nope: unknown option\nRun "plinth serve --help" for usage.'],
    [['serve', '--http'], 'Error: --http: needs a value (--http=VALUE)'],
    [['serve', '--http', '--dev'], 'Error: --http: needs a value (--http=VALUE)'],
    [['serve', '--dev=yes'], 'Error: --dev: takes no value'],
    [['serve', '--http=abc'], 'Error: --http: "abc" is not HOST:PORT'],
    [['serve', '--http=1.2.3.4:70000'], 'port "70000" is not a number between 0 and 65535'],
    [['serve', '--queryTimeout=soon'], 'Error: --queryTimeout: "soon" is not a number of seconds'],
    [['serve', '--encryptionEnv=1BAD'], 'Error: --encryptionEnv: "1BAD" is not an environment variable name'],
    [['serve', '--https=0.0.0.0:443'], 'Error: --https: built-in TLS is not supported'],
    [['serve', '--hooksWatch'], 'Error: --hooksWatch: use --dev, which reloads the hooks when they change'],
    [['serve', '--hooksDir='], 'Error: --hooksDir: the folder must not be empty'],
    [['serve', 'example.com'], 'Error: domain arguments are not supported (example.com)'],
    [['superuser', 'make', 'a@b.co', 'pw'], 'Error: unknown superuser command "make"'],
    [['superuser', 'otp', 'a@b.co'], 'Error: superuser otp is not supported by Plinth'],
    [['superuser', 'create'], 'Error: superuser create: missing EMAIL'],
    [['superuser', 'create', 'not-an-email', 'pw'], 'Error: superuser create: "not-an-email" is not a valid email address'],
    [['superuser', 'upsert', 'a@b.co'], 'Error: superuser upsert: missing PASSWORD'],
    [['superuser', 'update', 'a@b.co', ''], 'Error: superuser update: missing PASSWORD'],
    [['superuser', 'delete', 'a@b.co', 'extra'], 'Error: superuser delete: unexpected argument "extra"'],
    [['superuser', 'create', 'a@b.co', 'pw', 'extra'], 'Error: superuser create: unexpected argument "extra"'],
    [['superuser', 'delete', 'a@b.co', '--dir='], 'Error: --dir: the data directory must not be empty'],
  ];
  it.each(cases)('%j → %s', async (argv, expected) => {
    const fake = fakeContext();
    expect(await runCli(argv, fake.ctx)).toBe(2);
    expect(fake.stderr()).toContain(expected);
    expect(fake.created).toHaveLength(0);
  });

  it('names the environment variable of a bad value', async () => {
    const fake = fakeContext();
    (fake.ctx.env as NodeJS.ProcessEnv).PLINTH_HTTP = 'nope';
    expect(await runCli(['serve'], fake.ctx)).toBe(2);
    expect(fake.stderr()).toContain('Error: PLINTH_HTTP: "nope" is not HOST:PORT');
  });
});

describe('runCli serve', () => {
  it('starts, prints the addresses and the first-superuser hint, and closes on a signal', async () => {
    const fake = fakeContext({ superuserCount: 0 });
    const done = runCli(['serve', '--http=127.0.0.1:0', '--dir=data', '--origins=https://a.com'], fake.ctx);
    await vi.waitFor(() => expect(fake.stdout()).toContain('Server started'));
    expect(fake.stdout()).toContain('Server started at http://127.0.0.1:4321\n├─ REST API:  http://127.0.0.1:4321/api/\n');
    expect(fake.stdout()).toContain('npx plinth superuser upsert EMAIL PASSWORD --dir=/srv/data');
    expect(fake.created[0].config).toMatchObject({ http: { host: '127.0.0.1', port: 0 }, dir: '/srv/data', origins: ['https://a.com'] });
    expect(fake.created[0].options).toBeUndefined();
    expect(fake.created[0].config.logLevel).toBe('info');
    expect(fake.calls).not.toContain('close');

    fake.signal('SIGTERM');
    expect(await done).toBe(0);
    expect(fake.calls).toEqual(['close']);
    expect(fake.listening()).toBe(false);
  });

  it('omits --dir from the hint for the default directory and prints no hint when a superuser exists', async () => {
    const none = fakeContext({ superuserCount: 0 });
    const first = runCli(['serve'], none.ctx);
    await vi.waitFor(() => expect(none.stdout()).toContain('Server started'));
    expect(none.stdout()).toMatch(/superuser upsert EMAIL PASSWORD\n/);
    none.signal('SIGINT');
    expect(await first).toBe(0);

    const some = fakeContext({ superuserCount: 1 });
    const second = runCli(['serve', '--dev'], some.ctx);
    await vi.waitFor(() => expect(some.stdout()).toContain('Server started'));
    expect(some.stdout()).not.toContain('superuser upsert');
    expect(some.created[0].config.logLevel).toBe('debug');
    some.signal('SIGINT');
    expect(await second).toBe(0);
  });

  it('serves dist/dashboard unless --noDashboard, and says so when it is not built', async () => {
    const built = existsSync(fileURLToPath(new URL('../../dist/dashboard/index.html', import.meta.url)));
    const served = fakeContext({ superuserCount: 1 });
    const first = runCli(['serve'], served.ctx);
    await vi.waitFor(() => expect(served.stdout()).toContain('Server started'));
    if (built) {
      expect(served.created[0].config.dashboardDir).toBe(fileURLToPath(new URL('../../dist/dashboard', import.meta.url)));
      expect(served.stdout()).toContain('├─ Dashboard: http://127.0.0.1:4321/_/\n');
    } else {
      expect(served.created[0].config.dashboardDir).toBeUndefined();
      expect(served.stderr()).toContain('/_/ is not served. Build it with npm run build');
    }
    served.signal('SIGINT');
    expect(await first).toBe(0);

    const off = fakeContext({ superuserCount: 1 });
    const second = runCli(['serve', '--noDashboard'], off.ctx);
    await vi.waitFor(() => expect(off.stdout()).toContain('Server started'));
    expect(off.created[0].config.dashboardDir).toBeUndefined();
    expect(off.stdout()).not.toContain('Dashboard');
    expect(off.stderr()).toBe('');
    off.signal('SIGINT');
    expect(await second).toBe(0);
  });

  it('accepts --encryptionEnv with a note and ignores it', async () => {
    const fake = fakeContext({ superuserCount: 1 });
    const done = runCli(['serve', '--encryptionEnv=PB_KEY', '--queryTimeout=5'], fake.ctx);
    await vi.waitFor(() => expect(fake.stdout()).toContain('Server started'));
    expect(fake.stderr()).toContain('--encryptionEnv is accepted for PocketBase compatibility and ignored');
    expect(fake.created[0].config.queryTimeout).toBe(5);
    fake.signal('SIGINT');
    expect(await done).toBe(0);
  });

  it('passes the realtime stream caps to the node, and refuses a bad one naming it', async () => {
    const fake = fakeContext({ superuserCount: 1 });
    const done = runCli(['serve', '--maxRealtimeStreams=900', '--maxRealtimeStreamsPerIp=30'], fake.ctx);
    await vi.waitFor(() => expect(fake.stdout()).toContain('Server started'));
    expect(fake.created[0].config).toMatchObject({ maxRealtimeStreams: 900, maxRealtimeStreamsPerIp: 30 });
    fake.signal('SIGINT');
    expect(await done).toBe(0);
    const bad = fakeContext();
    expect(await runCli(['serve', '--maxRealtimeStreamsPerIp=0'], bad.ctx)).not.toBe(0);
    expect(bad.stderr()).toContain('--maxRealtimeStreamsPerIp');
    expect(bad.created).toEqual([]);
  });

  const listenErrors: Array<[string, string, string]> = [
    ['EADDRINUSE', '--http=127.0.0.1:8090', 'cannot listen on 127.0.0.1:8090: the address is already in use'],
    ['EACCES', '--http=0.0.0.0:80', 'cannot listen on 0.0.0.0:80: permission denied'],
    ['EADDRNOTAVAIL', '--http=[::1]:8090', 'cannot listen on [::1]:8090: the address is not available'],
  ];
  it.each(listenErrors)('a listen error %s exits 1 naming the address', async (code, flag, expected) => {
    const fake = fakeContext({ listenError: Object.assign(new Error(`listen ${code}`), { code }) });
    expect(await runCli(['serve', flag], fake.ctx)).toBe(1);
    expect(fake.stderr()).toContain(`Error: ${expected}`);
    expect(fake.calls).toEqual(['close']);
    expect(fake.listening()).toBe(false);
  });

  it('exits 1 when the node cannot be built', async () => {
    const fake = fakeContext();
    fake.ctx = { ...fake.ctx, createPlinth: async () => Promise.reject(new Error('disk full')) };
    expect(await runCli(['serve'], fake.ctx)).toBe(1);
    expect(fake.stderr()).toContain('Error: cannot start Plinth with data directory /srv/plinth_data: disk full');
  });
});

describe('runCli superuser', () => {
  const actions: Array<[string[], string, string]> = [
    [['upsert', 'a@b.co', 'secret123456'], 'upsert a@b.co secret123456', 'Successfully saved superuser "a@b.co"!'],
    [['create', 'a@b.co', 'secret123456'], 'create a@b.co secret123456', 'Successfully created new superuser "a@b.co"!'],
    [['update', 'a@b.co', 'secret123456'], 'update a@b.co secret123456', 'Successfully changed superuser "a@b.co" password!'],
    [['delete', 'a@b.co'], 'delete a@b.co', 'Successfully deleted superuser "a@b.co"!'],
  ];
  it.each(actions)('%j calls the admin, prints success and closes', async (args, call, message) => {
    const fake = fakeContext();
    expect(await runCli(['superuser', ...args, '--dir', '/data'], fake.ctx)).toBe(0);
    expect(fake.calls).toEqual([call, 'close']);
    expect(fake.stdout()).toBe(`${message}\n`);
    expect(fake.created[0].config.dir).toBe('/data');
    expect(fake.created[0].options).toEqual({ logger: false });
  });

  it('accepts --dir before the command word', async () => {
    const fake = fakeContext();
    expect(await runCli(['--dir', 'x', 'superuser', 'delete', 'a@b.co'], fake.ctx)).toBe(0);
    expect(fake.created[0].config.dir).toBe('/srv/x');
  });

  it('prints an AppError message and its field errors, exits 1 and still closes', async () => {
    const fake = fakeContext({
      admin: {
        create: async () => {
          throw new AppError(400, 'Failed to create record.', {
            email: codeError('validation_not_unique'),
            nested: { password: codeError('validation_length_too_short', { min: 10 }) },
          });
        },
      },
    });
    expect(await runCli(['superuser', 'create', 'a@b.co', 'short'], fake.ctx)).toBe(1);
    expect(fake.stderr()).toBe(
      'Error: Failed to create record.\n  - email: Value must be unique.\n  - nested.password: The length must be no less than 10.\n',
    );
    expect(fake.calls).toEqual(['close']);
  });

  it('prints a 404 from update and exits 1', async () => {
    const fake = fakeContext({ admin: { update: async () => Promise.reject(new AppError(404, "The requested resource wasn't found.")) } });
    expect(await runCli(['superuser', 'update', 'who@b.co', 'secret123456'], fake.ctx)).toBe(1);
    expect(fake.stderr()).toBe("Error: The requested resource wasn't found.\n");
  });
});

describe('runCli --env-file and NAME_FILE secrets', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'plinth-cli-env-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const secret = join(scratch, 'db-url');
  writeFileSync(secret, 'postgres://plinth:pw@db:5432/plinth\n');
  const envFile = join(scratch, 'prod.env');
  writeFileSync(envFile, `PLINTH_HTTP=0.0.0.0:7000\nPLINTH_DIR=/from-file\nDATABASE_URL_FILE=${secret}\n`);

  it.each([
    [['serve', `--env-file=${envFile}`]],
    [['--env-file', envFile, 'serve']],
  ])('%j loads the file under the real environment and reads the secret', async (argv) => {
    const fake = fakeContext();
    fake.ctx.env.PLINTH_DIR = '/real';
    const done = runCli(argv, fake.ctx);
    await vi.waitFor(() => expect(fake.stdout()).toContain('Server started'));
    expect(fake.created[0].config).toMatchObject({ http: { host: '0.0.0.0', port: 7000 }, dir: '/real', databaseUrl: 'postgres://plinth:pw@db:5432/plinth' });
    expect(fake.ctx.env.DATABASE_URL_FILE).toBeUndefined();
    fake.signal('SIGTERM');
    expect(await done).toBe(0);
  });

  it('serves on 0.0.0.0:$PORT', async () => {
    const fake = fakeContext();
    fake.ctx.env.PORT = '3000';
    const done = runCli(['serve'], fake.ctx);
    await vi.waitFor(() => expect(fake.stdout()).toContain('Server started'));
    expect(fake.created[0].config.http).toEqual({ host: '0.0.0.0', port: 3000 });
    fake.signal('SIGTERM');
    expect(await done).toBe(0);
  });

  it.each([
    [['serve', '--env-file'], {}, 'Error: --env-file needs a path: --env-file=PATH'],
    [['serve', '--env-file='], {}, 'Error: --env-file needs a path'],
    [['serve', '--env-file=a', '--env-file=b'], {}, 'Error: --env-file may be given once'],
    [['serve', '--env-file=missing.env'], {}, 'Error: --env-file: cannot read "/srv/missing.env": ENOENT'],
    [['superuser', 'delete', 'a@b.co'], { DATABASE_URL: 'postgres://x@h/db', DATABASE_URL_FILE: secret }, 'Error: DATABASE_URL_FILE: both DATABASE_URL and DATABASE_URL_FILE are set'],
    [['serve'], { PLINTH_SMTP_PASSWORD_FILE: '/nonexistent/pw' }, 'Error: PLINTH_SMTP_PASSWORD_FILE: cannot read "/nonexistent/pw": ENOENT'],
    [['serve'], { PORT: '99999' }, 'Error: PORT: "99999" is not a port number between 1 and 65535'],
  ] as Array<[string[], Record<string, string>, string]>)('%j with %j exits 2: %s', async (argv, env, message) => {
    const fake = fakeContext();
    Object.assign(fake.ctx.env, env);
    expect(await runCli(argv, fake.ctx)).toBe(2);
    expect(fake.stderr()).toContain(message);
    expect(fake.created).toEqual([]);
  });
});
