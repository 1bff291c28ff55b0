/**
 * The package metadata (issue 11): every runtime dependency is used by the code
 * that ships, and the locked tree installs on this machine's Node without npm's
 * EBADENGINE warning, which `npm ci` prints for a package that asks for a newer
 * Node than the project supports (>= 20.19).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** The text of every shipped source file: src/ without tests, bin/ and scripts/. */
function shippedSources(): string {
  const texts: string[] = [];
  for (const dir of ['src', 'bin', 'scripts']) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      const name = entry.name;
      if (!entry.isFile() || name.endsWith('.test.ts') || !['.ts', '.js', '.mjs'].some((ext) => name.endsWith(ext))) continue;
      texts.push(readFileSync(join(entry.parentPath, name), 'utf8'));
    }
  }
  return texts.join('\n');
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('package metadata', () => {
  it('every runtime dependency is imported by the shipped code', () => {
    const sources = shippedSources();
    const unused = Object.keys(pkg.dependencies).filter((name) => {
      const specifiers = [`'${name}'`, `"${name}"`, `'${name}/`, `"${name}/`];
      return !specifiers.some((s) => sources.includes(`from ${s}`) || sources.includes(`import(${s}`) || sources.includes(`require(${s}`));
    });
    expect(unused).toEqual([]);
  });

  it('the lock file matches package.json and installs without an EBADENGINE warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-lock-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
      // Offline with an empty cache: a lock in step with package.json needs nothing fetched, and
      // --engine-strict turns the warning `npm ci` would print into a failure.
      const { code, output } = await run('npm', [
        'install', '--package-lock-only', '--offline', '--ignore-scripts', '--engine-strict', '--no-audit', '--no-fund',
        '--cache', join(dir, '.npm-cache'),
      ], dir);
      expect(output).not.toContain('EBADENGINE');
      expect(code, output).toBe(0);
      expect(readFileSync(join(dir, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(root, 'package-lock.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 130_000);
});
