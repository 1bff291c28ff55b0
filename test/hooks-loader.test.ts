/**
 * The hooks folder (docs/hooks.md §1) through a real `plinth serve`: TypeScript
 * and JavaScript files in name order, relative helpers, an npm package installed
 * beside the hooks, `import … from 'plinth'` resolving to the running server
 * (its error classes answer their status), load errors that stop the start
 * naming file and line, and `--dev` reloading a changed file while a request in
 * flight finishes.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, requestJson, runPlinth } from './helpers/plinth-process.js';
import { sqlitePassOnly } from './helpers/sqlite-pass-only.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'src/cli/main.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'plinth-hooks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes `files` (relative path → text) under `dir`. */
function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A project folder: cwd of the process, with its data folder inside. */
function project(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `plinth serve` in `cwd` on a free port, with its output kept; resolves once it listens. */
async function serve(cwd: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', tsxLoader, main, 'serve', '--http=127.0.0.1:0', '--logLevel=warn', ...args], {
    cwd, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = await waitFor(() => /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stdout)?.[1], () => child.exitCode !== null, out);
  return {
    url,
    out,
    waitFor: <T>(probe: () => T | undefined) => waitFor(probe, () => child.exitCode !== null, out),
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, gone: () => boolean, out: { stdout: string; stderr: string }): Promise<T> {
  const until = Date.now() + 120_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (gone() || Date.now() > until) throw new Error(`gave up waiting\nstdout: ${out.stdout}\nstderr: ${out.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A route added from onServe: the hooks' own way to be seen over HTTP whatever else they register.
const route = (path: string, body: string): string =>
  `app.onServe(async (e) => {\n  e.server.get('${path}', async () => ${body});\n  await e.next();\n});`;

describe.skipIf(sqlitePassOnly('the hooks folder test (it runs plinth on SQLite)') !== undefined)('the hooks folder under plinth serve', () => {
  it('loads .ts, .mts, .js and .mjs files in name order, with helpers, npm packages and the running plinth', async () => {
    const cwd = project('full');
    write(cwd, {
      // An npm package installed beside the hooks (a plain ES module with an exports map).
      'app/node_modules/shout/package.json': '{"name":"shout","version":"1.0.0","type":"module","exports":{".":{"import":"./index.js"}}}',
      'app/node_modules/shout/index.js': 'export default function shout(s) { return s.toUpperCase() + "!"; }',
      'app/hooks/lib/greet.ts': 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n',
      'app/hooks/10-typed.ts': [
        "import { BadRequestError, definePlugin, type PlinthApp } from 'plinth';",
        "import shout from 'shout';",
        "import { greet } from './lib/greet.ts';",
        'interface Greeting { text: string; order: string[] }',
        "(globalThis as { order?: string[] }).order?.push('10-typed.ts');",
        'export default definePlugin((app: PlinthApp) => {',
        route('/hooks/hello', "({ text: shout(greet('ada')), order: (globalThis as unknown as { order: string[] }).order } satisfies Greeting)"),
        route('/hooks/refuse', "{ throw new BadRequestError('No refunds.', { amount: { code: 'too_big', message: 'Too big.' } }); }"),
        '});',
      ].join('\n'),
      'app/hooks/00-first.mjs': "globalThis.order = ['00-first.mjs'];\nexport default () => {};\n",
      'app/hooks/20-plain.js': "globalThis.order.push('20-plain.js');\nexport default function (app) {}\n",
      'app/hooks/30-module.mts': "(globalThis as any).order.push('30-module.mts');\nexport default (): void => {};\n",
      // Not hooks: other extensions, declaration files and anything below the top level.
      'app/hooks/types.d.ts': 'export type X = number;\n',
      'app/hooks/notes.txt': 'throw new Error("not code")',
      'app/hooks/lib/not-a-hook.ts': "throw new Error('sub-folders are not scanned');\n",
    });
    const server = await serve(cwd, ['--hooksDir=app/hooks', `--dir=${join(cwd, 'data')}`]);
    try {
      expect(server.out.stdout).toContain(`Hooks dir: ${join(cwd, 'app/hooks')}`);
      const hello = await requestJson(`${server.url}/hooks/hello`, 'GET');
      expect(hello).toEqual({ status: 200, body: { text: 'HELLO ADA!', order: ['00-first.mjs', '10-typed.ts', '20-plain.js', '30-module.mts'] } });
      // BadRequestError from 'plinth' is the server's own class: the error handler answers its status and data.
      const refused = await requestJson(`${server.url}/hooks/refuse`, 'GET');
      expect(refused).toEqual({ status: 400, body: { status: 400, message: 'No refunds.', data: { amount: { code: 'too_big', message: 'Too big.' } } } });
    } finally {
      await server.stop();
    }
  }, 180_000);

  it('starts without a hooks folder', async () => {
    const cwd = project('none');
    const server = await serve(cwd, [`--dir=${join(cwd, 'data')}`]);
    try {
      expect((await requestJson(`${server.url}/api/health`, 'GET')).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 180_000);

  const failures: Array<[string, Record<string, string>, string]> = [
    ['a syntax error', { 'bad.ts': "const price: number = 1;\nexport default (app) => { app.onServe( };\n" }, 'plinth_hooks/bad.ts:2:40: Unexpected "}"'],
    ['a throw at import', { 'lib/db.ts': "export function connect(): never {\n  throw new Error('no database');\n}\n", 'boom.ts': "import { connect } from './lib/db.ts';\n\nconnect();\nexport default () => {};\n" }, 'plinth_hooks/lib/db.ts:2:9: no database'],
    ['no default export', { 'named.ts': 'export function plugin(): void {}\n' }, 'plinth_hooks/named.ts: a hooks file must default-export a function'],
    ['a default export that is not a function', { 'object.js': 'export default { onServe() {} };\n' }, 'plinth_hooks/object.js: a hooks file must default-export a function (app) => void, as definePlugin((app) => { … }); found a default export of type object'],
    ['a missing package', { 'pkg.ts': "import x from 'not-installed-anywhere';\nexport default x;\n" }, 'plinth_hooks/pkg.ts:1:15: Could not resolve "not-installed-anywhere"'],
    ['a plugin that throws as the node starts', { 'start.ts': "import { definePlugin } from 'plinth';\nexport default definePlugin(() => {\n  throw new TypeError('misconfigured');\n});\n" }, 'plinth_hooks/start.ts:3:9: TypeError: misconfigured'],
  ];
  // Concurrent: each is a process start of several seconds (a minute on a loaded machine).
  it.concurrent.each(failures)('%s stops the start with exit code 1 naming the file and line', async (name, files, message) => {
    const cwd = project(`fail-${name.replaceAll(' ', '-')}`);
    write(join(cwd, 'plinth_hooks'), files);
    const result = await runPlinth(['serve', '--http=127.0.0.1:0', '--logLevel=warn'], childEnv({}), cwd);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`Error: ${message}`);
    expect(result.out).not.toContain('Server started');
  }, 180_000);

  it('--dev reloads a changed hooks file on the same address while a request in flight finishes', async () => {
    const cwd = project('dev');
    const version = (v: string): string => [
      "import { definePlugin } from 'plinth';",
      'export default definePlugin((app) => {',
      route('/hooks/version', `({ version: '${v}' })`),
      route('/hooks/slow', `new Promise((done) => setTimeout(() => done({ version: '${v}' }), 1500))`),
      '});',
    ].join('\n');
    write(cwd, { 'plinth_hooks/version.ts': version('v1') });
    const server = await serve(cwd, ['--dev', '--logLevel=warn']);
    try {
      expect((await requestJson(`${server.url}/hooks/version`, 'GET')).body).toEqual({ version: 'v1' });
      const slow = requestJson(`${server.url}/hooks/slow`, 'GET');
      await new Promise((r) => setTimeout(r, 200));
      write(cwd, { 'plinth_hooks/version.ts': version('v2') });
      // The request that was running when the change came is answered by the old hooks.
      expect(await slow).toEqual({ status: 200, body: { version: 'v1' } });
      await server.waitFor(() => (server.out.stdout.includes('Hooks reloaded') ? true : undefined));
      expect((await requestJson(`${server.url}/hooks/version`, 'GET')).body).toEqual({ version: 'v2' });

      // A broken edit keeps the running hooks and says why; the next good edit is picked up.
      write(cwd, { 'plinth_hooks/version.ts': 'export default (app) => {\n  app.onServe(;\n};\n' });
      await server.waitFor(() => (server.out.stderr.includes('hooks not reloaded: plinth_hooks/version.ts:2:') ? true : undefined));
      expect((await requestJson(`${server.url}/hooks/version`, 'GET')).body).toEqual({ version: 'v2' });
      write(cwd, { 'plinth_hooks/version.ts': version('v3') });
      await server.waitFor(async () => ((await requestJson(`${server.url}/hooks/version`, 'GET').catch(() => undefined))?.body?.version === 'v3' ? true : undefined));
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 240_000);
});
