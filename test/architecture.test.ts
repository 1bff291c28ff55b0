/**
 * The rings of src/: each top-level folder imports only the folders inward of it (the
 * table MAY_IMPORT below is the rule), and no two files import each other, directly or
 * round a loop. Imports are read with the TypeScript compiler, so a type-only import is
 * told from one that runs.
 *
 *   errors ← filter, tools ← core ← http;  config ← core (types);
 *   db/ and adapters/ implement types core/ declares;  app/ and cli/ see everything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './helpers/source-files.js';

const ROOT = join(import.meta.dirname, '..');

type Folder = 'errors' | 'tools' | 'filter' | 'config' | 'core' | 'db' | 'adapters' | 'http' | 'app' | 'cli';

/** How a folder may use another: run its code (`all`) or name its types only (`types`). */
type Use = 'all' | 'types';

const EVERYTHING: Partial<Record<Folder, Use>> = {
  errors: 'all', tools: 'all', filter: 'all', config: 'all', core: 'all', db: 'all', adapters: 'all', http: 'all', app: 'all', cli: 'all',
};

/** Which folders each folder may import (its own always). */
const MAY_IMPORT: Record<Folder, Partial<Record<Folder, Use>>> = {
  errors: {},
  tools: { errors: 'all' },
  filter: { errors: 'all', tools: 'all' },
  config: { errors: 'all', tools: 'all' },
  core: { errors: 'all', tools: 'all', filter: 'all', config: 'types', db: 'types' },
  db: { errors: 'all', tools: 'all', filter: 'all', config: 'all', core: 'types' },
  adapters: { errors: 'all', tools: 'all', config: 'all', core: 'types' },
  http: { errors: 'all', tools: 'all', filter: 'all', core: 'all' },
  app: EVERYTHING,
  cli: EVERYTHING,
};

/** Imports that break the table on purpose: [importer, imported, why]. */
const EXCEPTIONS: ReadonlyArray<readonly [string, string, string]> = [
  ['src/adapters/storage/local-storage.ts', 'src/core/files/storage.ts', 'the Storage port\'s own key check (assertStorageKey), which every implementation runs'],
  ['src/adapters/backups/local-backup-store.ts', 'src/core/backups/backup-store.ts', 'the BackupStore port\'s own key check (isValidBackupKey), which every implementation runs'],
  ['src/adapters/backups/s3-backup-store.ts', 'src/core/backups/backup-store.ts', 'the BackupStore port\'s own key check (isValidBackupKey), which every implementation runs'],
  ['src/adapters/storage/s3-storage.ts', 'src/core/files/storage.ts', 'the Storage port\'s own key check (assertStorageKey), which every implementation runs'],
];

/** Packages the inner rings never load (the style guide: core never imports fastify, pg, …). */
const SERVER_PACKAGES = ['fastify', 'pg', 'better-sqlite3', 'ioredis', 'amqplib', 'nats'];
const NO_SERVER_PACKAGES: readonly Folder[] = ['errors', 'tools', 'filter', 'config', 'core'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
  /** A dynamic `import()`, which loads when called. */
  lazy?: boolean;
  line: number;
}


/** Whether an import or export declaration names types only (`import type`, or every name `type`). */
function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    return node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.every((e) => e.isTypeOnly));
  }
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** Every import of every non-test file in src/ (static, re-exports and `import()`), relative ones resolved. */
function readImports(): Import[] {
  const imports: Import[] = [];
  for (const path of sourceFiles(join(ROOT, 'src'))) {
    const from = relative(ROOT, path).split('\\').join('/');
    const tree = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (specifier: ts.Expression, typeOnly: boolean, lazy = false): void => {
      if (!ts.isStringLiteralLike(specifier)) return;
      const text = specifier.text;
      const to = text.startsWith('.') ? normalize(join(dirname(from), text)).split('\\').join('/').replace(/\.js$/, '.ts') : text;
      imports.push({ from, to, typeOnly, lazy, line: tree.getLineAndCharacterOfPosition(specifier.getStart(tree)).line + 1 });
    };
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node.moduleSpecifier, isTypeOnly(node));
      else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0], false, true);
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
      ts.forEachChild(node, visit);
    };
    visit(tree);
  }
  return imports;
}

/** The top-level folder of a file of src/. */
function folderOf(file: string): Folder {
  // The package entry (src/index.ts) composes the public API, as app/ does.
  if (file === 'src/index.ts') return 'app';
  return file.split('/')[1] as Folder;
}

/** Every import that breaks MAY_IMPORT or loads a server package into an inner ring, as text. */
function wrongWayImports(imports: readonly Import[]): string[] {
  const excepted = new Set(EXCEPTIONS.map(([from, to]) => `${from}\t${to}`));
  const wrong: string[] = [];
  for (const imp of imports) {
    const from = folderOf(imp.from);
    if (!imp.to.startsWith('src/')) {
      const pkg = imp.to.startsWith('@') ? imp.to.split('/').slice(0, 2).join('/') : imp.to.split('/')[0]!;
      if (NO_SERVER_PACKAGES.includes(from) && SERVER_PACKAGES.includes(pkg) && !imp.typeOnly) wrong.push(`${imp.from}:${imp.line} loads ${pkg} (${from}/ never does)`);
      continue;
    }
    const to = folderOf(imp.to);
    if (to === from || excepted.has(`${imp.from}\t${imp.to}`)) continue;
    const use = MAY_IMPORT[from][to];
    if (use === 'all' || (use === 'types' && imp.typeOnly)) continue;
    const what = use === 'types' ? `runs code of ${to}/ (${from}/ may name its types only)` : `imports ${to}/ (${from}/ may not)`;
    wrong.push(`${imp.from}:${imp.line} imports ${imp.to}: ${what}`);
  }
  return wrong;
}

/** The import cycles between files (type-only imports included), each as its files in order. */
function importCycles(imports: readonly Import[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const imp of imports) {
    // A lazy `import()` runs after every module loaded, so it cannot close a load-order cycle.
    if (!imp.to.startsWith('src/') || imp.lazy) continue;
    edges.set(imp.from, [...(edges.get(imp.from) ?? []), imp.to]);
  }
  // Tarjan's strongly connected components; a component of two or more files is a cycle.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(component.reverse());
  };
  for (const v of edges.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

describe('architecture of src/', () => {
  const imports = readImports();

  it('reads the imports (the scan works)', () => {
    expect(imports.length).toBeGreaterThan(500);
    expect(imports.some((i) => i.from === 'src/http/records-routes.ts' && i.to.startsWith('src/core/'))).toBe(true);
    expect(imports.some((i) => i.typeOnly)).toBe(true);
    expect(Object.keys(MAY_IMPORT).sort()).toEqual(readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort());
  });

  it('tells a wrong-way import and a cycle when there is one (the checks work)', () => {
    const made = (from: string, to: string, typeOnly = false): Import => ({ from, to, typeOnly, line: 1 });
    expect(wrongWayImports([made('src/core/a.ts', 'src/app/plinth.ts', true)])).toEqual(['src/core/a.ts:1 imports src/app/plinth.ts: imports app/ (core/ may not)']);
    expect(wrongWayImports([made('src/db/a.ts', 'src/core/b.ts')])).toHaveLength(1);
    expect(wrongWayImports([made('src/db/a.ts', 'src/core/b.ts', true), made('src/http/a.ts', 'src/core/b.ts')])).toEqual([]);
    expect(wrongWayImports([made('src/core/a.ts', 'fastify')])).toHaveLength(1);
    expect(importCycles([made('src/x/a.ts', 'src/x/b.ts', true), made('src/x/b.ts', 'src/x/c.ts'), made('src/x/c.ts', 'src/x/a.ts')])).toEqual([['src/x/a.ts', 'src/x/b.ts', 'src/x/c.ts']]);
  });

  it('imports only inward, as MAY_IMPORT says', () => {
    expect(wrongWayImports(imports), 'wrong-way imports').toEqual([]);
  });

  it('has no stale exceptions', () => {
    const present = new Set(imports.map((i) => `${i.from}\t${i.to}`));
    expect(EXCEPTIONS.filter(([from, to]) => !present.has(`${from}\t${to}`))).toEqual([]);
  });

  it('has no import cycles between files', () => {
    expect(importCycles(imports).map((c) => c.join(' → ')), 'import cycles').toEqual([]);
  });
});
