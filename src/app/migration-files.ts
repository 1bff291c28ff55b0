/**
 * The migrations folder (docs/migrations.md): which files are migrations, in
 * what order, how one is loaded, and the name of a new one.
 * A migration file is `<unix-timestamp>_<name>.ts` (or .mts, .js, .mjs) and
 * default-exports `{ up(app), down(app) }`; other files (helpers) are not run.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadUserModules, UserCodeError, type LoadedModule } from './code-loader.js';
import type { CodeLocation } from './code-location.js';
import { MigrationError } from './migration-error.js';
import type { PlinthApp } from './plinth-app.js';

/** The extensions of migration files. */
export const MIGRATION_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** The language a new migration file is written in. */
export type MigrationLanguage = 'ts' | 'js';

/** What a migration does to an app bound to its transaction. */
export type MigrationStep = (app: PlinthApp) => unknown;

/** A loaded migration file. */
export interface Migration {
  /** The file's name in the migrations folder; the key of its `_migrations` row. */
  file: string;
  up: MigrationStep;
  /** Absent: reverting the migration only forgets that it was applied (as PocketBase). */
  down?: MigrationStep;
  /** Where in the user's files an error thrown by `up` or `down` was thrown. */
  locate(err: unknown): CodeLocation | undefined;
}

/** Loads user modules in one go (code-loader.ts `loadUserModules`; a test seam). */
export type ModuleLoader = (files: readonly string[]) => Promise<LoadedModule[]>;

/** Whether a file name is a migration's: digits, an underscore, a name, a migration extension. */
export function isMigrationFileName(name: string): boolean {
  let digits = 0;
  while (digits < name.length && name.charCodeAt(digits) >= 48 && name.charCodeAt(digits) <= 57) digits++;
  if (digits === 0 || name[digits] !== '_') return false;
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts')) return false;
  return MIGRATION_EXTENSIONS.some((ext) => name.endsWith(ext) && name.length > digits + 1 + ext.length);
}

/** The migration files of `dir` in the order they apply (by name); none when the folder is missing. */
export async function listMigrationFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  // NOTE: code-unit order, as PocketBase sorts: timestamps of equal length sort as numbers.
  return entries.filter((e) => e.isFile() && isMigrationFileName(e.name)).map((e) => e.name).sort(compareNames);
}

/**
 * Loads migration files of `dir` (TypeScript or JavaScript, through the hooks'
 * loader); a MigrationError names the first that does not build, throws while it
 * is imported or has no `up`.
 */
export async function loadMigrations(dir: string, files: readonly string[], load: ModuleLoader = loadUserModules): Promise<Migration[]> {
  let loaded: LoadedModule[];
  try {
    loaded = await load(files.map((file) => join(dir, file)));
  } catch (err) {
    const file = err instanceof UserCodeError ? basename(err.file) : files[0] ?? '';
    throw MigrationError.of(file, 'load', err);
  }
  return loaded.map((module, i) => migrationOf(files[i]!, module));
}

function migrationOf(file: string, module: LoadedModule): Migration {
  const value = module.exports.default as { up?: unknown; down?: unknown } | null | undefined;
  if (typeof value !== 'object' || value === null || typeof value.up !== 'function') {
    throw new MigrationError(file, `migration ${file} does not default-export { up(app), down(app) }`);
  }
  if (value.down !== undefined && typeof value.down !== 'function') {
    throw new MigrationError(file, `migration ${file}: down is not a function`);
  }
  const { up, down } = value as { up: MigrationStep; down?: MigrationStep };
  return {
    file,
    up: (app) => up.call(value, app),
    down: down && ((app) => down.call(value, app)),
    locate: (err) => module.locate(err),
  };
}

/**
 * The name of a new migration file, `<unix-seconds>_<name>.<ext>`, made to sort
 * after every migration of `dir`: when one has this second or a later one (two
 * changes in one second), the second after the latest is taken, so name order
 * stays the order of creation.
 */
export async function newMigrationFileName(dir: string, name: string, language: MigrationLanguage, now = Date.now()): Promise<string> {
  let seconds = Math.floor(now / 1000);
  for (const file of await listMigrationFiles(dir)) seconds = Math.max(seconds, leadingNumber(file) + 1);
  return `${seconds}_${name}.${language}`;
}

/** The number a migration file's name starts with. */
function leadingNumber(file: string): number {
  let end = 0;
  while (end < file.length && file.charCodeAt(end) >= 48 && file.charCodeAt(end) <= 57) end++;
  return Number(file.slice(0, end));
}

/**
 * A name made safe for a file name: lower-case letters, digits and single
 * underscores (`Add posts!` → `add_posts`, `addPosts` → `add_posts`); accents
 * are dropped, other letters too; empty when nothing is left.
 */
export function snakeCaseName(text: string): string {
  let out = '';
  let afterLowerOrDigit = false;
  for (const ch of text.normalize('NFKD')) {
    const code = ch.charCodeAt(0);
    const upper = code >= 65 && code <= 90;
    const lower = code >= 97 && code <= 122;
    const digit = code >= 48 && code <= 57;
    // NOTE: combining marks (U+0300…) are what NFKD split off accented letters: dropped silently.
    if (upper && afterLowerOrDigit) out += '_';
    if (upper || lower || digit) out += ch.toLowerCase();
    else if (out !== '' && !out.endsWith('_') && code < 0x300) out += '_';
    if (code < 0x300 || code > 0x36f) afterLowerOrDigit = lower || digit;
  }
  while (out.endsWith('_')) out = out.slice(0, -1);
  return out;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
