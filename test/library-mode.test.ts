/**
 * Plinth as a library (docs/hooks.md §1): built as `npm run build` builds it
 * (bundle + emitted .d.ts), installed by path into a scratch package, imported
 * from a user's .mjs program that starts a node with a hooks folder, hits a hook
 * and stops it, and a user's .ts file type-checked by tsc against the emitted
 * types (a misuse must fail the check).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlitePassOnly } from './helpers/sqlite-pass-only.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'plinth-library-'));
/** Plinth as an installed package: package.json, dist/ and its dependencies. */
const pkg = join(scratch, 'plinth');
/** The user's project, with plinth in its node_modules. */
const app = join(scratch, 'app');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLINTH_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  return new Promise((done) => child.on('close', (code) => done({ ...out, code })));
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const tsc = join(root, 'node_modules/typescript/bin/tsc');

const onlyOnce = sqlitePassOnly('the library-mode test (its program runs on SQLite)');

beforeAll(async () => {
  if (onlyOnce !== undefined) return;
  mkdirSync(pkg, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  // What `npm run build` does, into the scratch package.
  const [bundle, types] = await Promise.all([
    run([join(root, 'scripts/build.mjs'), join(pkg, 'dist')], root),
    run([tsc, '-p', join(root, 'tsconfig.build.json'), '--declarationDir', join(pkg, 'dist/types')], root),
  ]);
  expect(bundle.code, bundle.stderr).toBe(0);
  expect(types.code, types.stdout).toBe(0);
  // Installed by path: node_modules/plinth is a link to the package, as `npm install ../plinth` makes.
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  symlinkSync(pkg, join(app, 'node_modules/plinth'), 'dir');
  symlinkSync(join(root, 'node_modules/@types'), join(app, 'node_modules/@types'), 'dir');
}, 300_000);

describe.skipIf(onlyOnce !== undefined)('Plinth as a library', () => {
  it('starts from a user program with a hooks folder, answers a hook, and stops', async () => {
    write(app, {
      'package.json': '{"name":"shop","private":true,"type":"module","dependencies":{"plinth":"file:../plinth"}}',
      'hooks/greet.ts': [
        "import { BadRequestError, definePlugin } from 'plinth';",
        'export default definePlugin((app) => {',
        '  app.onServe(async (e) => {',
        "    e.server.get('/hello', async () => ({ hello: 'world' }));",
        "    e.server.get('/refuse', async () => { throw new BadRequestError('Not today.'); });",
        '    await e.next();',
        '  });',
        '});',
      ].join('\n'),
      'main.mjs': [
        "import { createPlinth, BadRequestError, Record, definePlugin, PlinthApp } from 'plinth';",
        "const app = await createPlinth({ dir: 'data', hooksDir: 'hooks', logLevel: 'silent' });",
        "app.use(definePlugin((a) => a.onBootstrap(async (e) => { e.app.bootstrapped = true; await e.next(); })));",
        "const { url } = await app.start({ http: '127.0.0.1:0' });",
        "const hello = await (await fetch(url + '/hello')).json();",
        "const refuse = await fetch(url + '/refuse');",
        "const health = await fetch(url + '/api/health');",
        'await app.stop();',
        "let badOption = '';",
        "try { await createPlinth({ dir: 'data2', http: 'nowhere' }); } catch (err) { badOption = err.message; }",
        'console.log(JSON.stringify({ hello, refuse: [refuse.status, await refuse.json()], health: health.status,',
        '  bootstrapped: app.bootstrapped === true, isApp: app instanceof PlinthApp, record: typeof Record, error: new BadRequestError().status, badOption }));',
      ].join('\n'),
    });
    const result = await run(['main.mjs'], app);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      hello: { hello: 'world' },
      // The hooks file's BadRequestError is the library's own class: answered 400 with its message.
      refuse: [400, { status: 400, message: 'Not today.', data: {} }],
      health: 200,
      bootstrapped: true,
      isApp: true,
      record: 'function',
      error: 400,
      badOption: '--http: "nowhere" is not HOST:PORT (e.g. 127.0.0.1:8090)',
    });
  }, 240_000);

  it('type-checks a user .ts file against the emitted types, and refuses a misuse', async () => {
    write(app, {
      'good/server.ts': [
        "import { createPlinth, definePlugin, BadRequestError, Record, type PlinthApp } from 'plinth';",
        'const shop = definePlugin((app: PlinthApp) => {',
        '  app.onRecordCreate(async (e) => {',
        "    if (e.record.getFloat('price') < 0) throw new BadRequestError('Price must be positive.');",
        '    await e.next();',
        "  }, 'products');",
        '});',
        "const app = await createPlinth({ dir: './data', hooksDir: null, http: '127.0.0.1:8090' });",
        'app.use(shop);',
        'const started: { url: string } = await app.start();',
        'const model: typeof Record = Record;',
        'console.log(started.url, model);',
        'await app.stop();',
      ].join('\n'),
      'bad/server.ts': [
        "import { createPlinth } from 'plinth';",
        'await createPlinth({ dir: 42 });',
      ].join('\n'),
    });
    const check = (file: string) => run([tsc, file, '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--strict', '--noEmit', '--skipLibCheck', '--types', 'node'], app);
    const [good, bad] = await Promise.all([check('good/server.ts'), check('bad/server.ts')]);
    expect(good.code, good.stdout).toBe(0);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain("bad/server.ts(2,22): error TS2322: Type 'number' is not assignable to type 'string'");
  }, 240_000);
});
