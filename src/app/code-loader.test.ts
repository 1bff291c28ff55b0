import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../index.js';
import { loadUserModule, loadUserModules, UserCodeError } from './code-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-code-loader-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe('loadUserModule', () => {
  it('loads TypeScript with relative files, npm packages beside it and the running plinth', async () => {
    write({
      'node_modules/pad-it/package.json': '{"name":"pad-it","type":"module","exports":{".":{"import":"./index.js"}}}',
      'node_modules/pad-it/index.js': 'export const pad = (s, n) => String(s).padStart(n, "0");',
      'lib/seven.ts': 'export function seven(): number { return 7; }',
      'mod.ts': [
        "import { BadRequestError, definePlugin } from 'plinth';",
        "import { pad } from 'pad-it';",
        "import { seven } from './lib/seven.ts';",
        'type Padded = string;',
        'export const padded: Padded = pad(seven(), 3);',
        'export const folder = import.meta.dirname;',
        "export const error = new BadRequestError('no');",
        'export default definePlugin(() => undefined);',
      ].join('\n'),
    });
    const mod = await loadUserModule(join(dir, 'mod.ts'));
    expect(mod.padded).toBe('007');
    expect(mod.folder).toBe(dir);
    expect(mod.error).toBeInstanceOf(BadRequestError);
    expect(typeof mod.default).toBe('function');
  });

  it('shares a helper between the files of one load, as Node would', async () => {
    write({
      'shared/counter.ts': 'export const seen: string[] = [];',
      'shared/a.ts': "import { seen } from './counter.ts'; seen.push('a'); export { seen };",
      'shared/b.ts': "import { seen } from './counter.ts'; seen.push('b'); export { seen };",
    });
    const [a, b] = await loadUserModules([join(dir, 'shared/a.ts'), join(dir, 'shared/b.ts')]);
    expect(a!.exports.seen).toBe(b!.exports.seen);
    expect(b!.exports.seen).toEqual(['a', 'b']);
  });

  it('names the file and line of a syntax error', async () => {
    write({ 'syntax.ts': 'const a: number = 1;\nconst b = ;\n' });
    const err = await loadUserModule(join(dir, 'syntax.ts')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).message).toBe(`${join(dir, 'syntax.ts')}:2:11: Unexpected ";"`);
  });

  it('names the file and line of a throw at import, in a helper file too', async () => {
    write({
      'throws/helper.ts': "type N = number;\nexport function fail(n: N): never {\n  throw new TypeError('bad ' + n);\n}\n",
      'throws/entry.ts': "import { fail } from './helper.ts';\n\nfail(1);\n",
    });
    const err = (await loadUserModule(join(dir, 'throws/entry.ts')).catch((e: unknown) => e)) as UserCodeError;
    expect(err.message).toBe(`${join(dir, 'throws/helper.ts')}:3:9: TypeError: bad 1`);
  });

  it('names an import that cannot be found', async () => {
    write({ 'missing.ts': "\nimport x from 'no-such-package-here';\nexport default x;\n" });
    const err = (await loadUserModule(join(dir, 'missing.ts')).catch((e: unknown) => e)) as UserCodeError;
    expect(err.message).toContain(`${join(dir, 'missing.ts')}:2:`);
    expect(err.message).toContain('no-such-package-here');
  });
});
