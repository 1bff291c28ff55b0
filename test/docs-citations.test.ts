/**
 * Section citations in comments point into docs/: every `§X` in src/ and test/ names
 * docs/api.md, docs/architecture.md or another file of docs/ (directly or by following
 * another citation of the same comment), and that file has a heading numbered X.
 * scripts/cite-docs.mjs rewrites the old `spec §X` / `design §N` citations; run with
 * `--check` it reports what this test fails on.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'scripts', 'cite-docs.mjs');

/** Runs the script; returns its exit code and output. */
function runScript(args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: e.stdout + e.stderr };
  }
}

describe('citations in src/ and test/', () => {
  it('name a section that a heading of docs/ has', () => {
    const { code, output } = runScript([`--root=${ROOT}`, '--check']);
    const problems = output.split('\n').filter((line) => line.startsWith('src/') || line.startsWith('test/'));
    expect(problems, output).toEqual([]);
    expect(code).toBe(0);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(title: string): string {
  let out = '';
  for (const ch of title.trim().toLowerCase()) {
    if (ch === ' ') out += '-';
    else if (ch === '-' || ch === '_' || /\p{L}|\p{N}/u.test(ch)) out += ch;
  }
  return out;
}

/** The anchors of a markdown file's headings. */
function anchorsOf(path: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('#')) continue;
    anchors.add(headingAnchor(line.slice(line.indexOf(' ') + 1)));
  }
  return anchors;
}

describe('links in the README and docs/', () => {
  it('point to files and headings that exist', () => {
    const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (let at = text.indexOf('](', 0); at !== -1; at = text.indexOf('](', at + 2)) {
        const end = text.indexOf(')', at);
        const link = text.slice(at + 2, end);
        if (link.includes('://') || link.includes(' ') || link.startsWith('mailto:')) continue;
        const [path, anchor] = link.split('#');
        const target = path === '' ? join(ROOT, page) : normalize(join(ROOT, dirname(page), path));
        if (!existsSync(target)) broken.push(`${page}: ${link} (no such file)`);
        else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)) broken.push(`${page}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** The section sign, written as an escape so this file's fixtures are not citations themselves. */
const S = '\u00a7';
/** The design notes' old file name, split so that the script leaves this file's fixture alone. */
const DESIGN_MD = ['design', 'md'].join('.');

describe('scripts/cite-docs.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-cite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'api.md'), '# API\n## 1. Conventions\n### 1.1 Bodies\n### 1.3 Errors\n## 5. Auth\n### 5.3 Password\n### 5.7 Refresh\n');
  writeFileSync(join(dir, 'docs', 'architecture.md'), '# Architecture\n## 3. Core ideas\n## 6. Quality bars\n');
  const source = [
    '/**',
    ` * Signs in (spec ${S}5.3,`,
    ` * ${S}5.7); bodies per Spec ${S}1.1/${S}1.3 and design ${S}6: every mistake a 4xx; ${S}3 too.`,
    ' * HTTP Basic (RFC 6749',
    ` * ${S}2.3.1) is someone else's section.`,
    ' */',
    `// Only the first value counts (${S}1.1).`,
    `describe('errors (${S}1.3)', () => {});`,
    `// NOTE: busboy, not @fastify/multipart (${DESIGN_MD}).`,
    `// A section docs/ lacks: spec ${S}9.`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'src', 'a.ts'), source);

  it('reports the old citations without changing anything under --check', () => {
    const { code, output } = runScript([`--root=${dir}`, '--check']);
    expect(code).toBe(1);
    expect(output).toContain(`src/a.ts:2: "spec ${S}5.3" cites a document outside the repository`);
    expect(output).toContain(`src/a.ts:7: "${S}1.1" names no document`);
    expect(output).not.toContain(`${S}2.3.1`);
    expect(readFileSync(join(dir, 'src', 'a.ts'), 'utf8')).toBe(source);
  });

  it('rewrites them to docs/ paths and reports the section it cannot map', () => {
    const { code, output } = runScript([`--root=${dir}`]);
    expect(readFileSync(join(dir, 'src', 'a.ts'), 'utf8')).toBe([
      '/**',
      ` * Signs in (docs/api.md ${S}5.3,`,
      ` * ${S}5.7); bodies per docs/api.md ${S}1.1/${S}1.3 and docs/architecture.md ${S}6: every mistake a 4xx; ${S}3 too.`,
      ' * HTTP Basic (RFC 6749',
      ` * ${S}2.3.1) is someone else's section.`,
      ' */',
      `// Only the first value counts (docs/api.md ${S}1.1).`,
      `describe('errors (docs/api.md ${S}1.3)', () => {});`,
      '// NOTE: busboy, not @fastify/multipart (docs/architecture.md).',
      `// A section docs/ lacks: docs/api.md ${S}9.`,
      '',
    ].join('\n'));
    expect(output).toContain('Rewrote 7 citations in 1 files.');
    expect(output).toContain(`src/a.ts:10: docs/api.md ${S}9: no heading numbered 9 in docs/api.md`);
    expect(output).toContain('Left alone (other documents\' sections): src/a.ts:5');
    expect(code).toBe(1);
  });
});
