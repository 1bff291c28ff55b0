/**
 * The text of the migration files Plinth writes (docs/migrations.md): a blank
 * one (`plinth migrate create`), a snapshot of every collection (`plinth
 * migrate collections`) and one per collection change made through the API
 * (`--automigrate`). Each calls the app API of docs/hooks.md §4 — `app.save`,
 * `app.delete`, `app.findCollectionByNameOrId`, `app.importCollections` — with
 * the collections' JSON as the API shows it: no token or OAuth2 client
 * secrets, no OAuth2 providers (as PocketBase: they are per environment), no
 * timestamps.
 */
import type { Collection } from '../core/collections/collection.js';
import { toPublicJSON } from '../core/collections/collection-json.js';
import type { MigrationLanguage } from './migration-files.js';

/** The blank migration of `plinth migrate create`. */
export function blankMigration(language: MigrationLanguage): string {
  return migrationModule(language, 'A migration: up applies it, down reverts it.',
    ['// Change the schema or the data: app.save(…), app.delete(…), app.db()…'],
    ['// Undo what up did.'],
  );
}

/** Recreates every collection as it is now (`plinth migrate collections`); its down does nothing. */
export function snapshotMigration(language: MigrationLanguage, collections: readonly Collection[]): string {
  return migrationModule(language, 'A snapshot of every collection: up imports them (created or updated, none deleted).',
    [`await app.importCollections(${json(collections.map(definition))}, false);`],
    ['// A snapshot is not reverted.'],
  );
}

/** The migration of a collection created through the API: up creates it, down deletes it. */
export function createdMigration(language: MigrationLanguage, c: Collection): string {
  return migrationModule(language, `Created collection ${JSON.stringify(c.name)}.`,
    [`await app.save(${json(definition(c))});`],
    [`await app.delete(app.findCollectionByNameOrId(${JSON.stringify(c.id)}));`],
  );
}

/** The migration of a collection deleted through the API: up deletes it, down recreates it. */
export function deletedMigration(language: MigrationLanguage, c: Collection): string {
  return migrationModule(language, `Deleted collection ${JSON.stringify(c.name)}.`,
    [`await app.delete(app.findCollectionByNameOrId(${JSON.stringify(c.id)}));`],
    [`await app.save(${json(definition(c))});`],
  );
}

/**
 * The migration of a collection changed through the API: up sets the keys that
 * changed (a changed field list is written whole), down sets them back.
 * Undefined when nothing a migration carries changed.
 */
export function updatedMigration(language: MigrationLanguage, old: Collection, next: Collection): string | undefined {
  const before = definition(old);
  const after = definition(next);
  const up: Record<string, unknown> = {};
  const down: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    if (key in after) up[key] = after[key];
    if (key in before) down[key] = before[key];
  }
  if (Object.keys(up).length === 0 && Object.keys(down).length === 0) return undefined;
  const id = JSON.stringify(old.id);
  return migrationModule(language, `Updated collection ${JSON.stringify(old.name)}${old.name === next.name ? '' : ` (now ${JSON.stringify(next.name)})`}.`,
    [`const collection = app.findCollectionByNameOrId(${id});`, `await app.save({ ...collection, ...${json(up)} });`],
    [`const collection = app.findCollectionByNameOrId(${id});`, `await app.save({ ...collection, ...${json(down)} });`],
  );
}

/**
 * The migration of an import through the API: up imports what the import made of
 * the payload's collections (with `deleteMissing`: every collection, as the import
 * left them); down imports every collection as it was before, deleting the others.
 */
export function importedMigration(language: MigrationLanguage, imported: readonly Collection[], before: readonly Collection[], deleteMissing: boolean): string {
  return migrationModule(language, 'Imported collections.',
    [`await app.importCollections(${json(imported.map(definition))}, ${deleteMissing});`],
    [`await app.importCollections(${json(before.map(definition))}, true);`],
  );
}

/** A collection's JSON as a migration carries it: public, without OAuth2 providers and timestamps. */
export function definition(c: Collection): Record<string, unknown> {
  const out = toPublicJSON(c);
  delete out.created;
  delete out.updated;
  if (typeof out.oauth2 === 'object' && out.oauth2 !== null) {
    const { providers: _providers, ...oauth2 } = out.oauth2 as Record<string, unknown>;
    out.oauth2 = oauth2;
  }
  return out;
}

/** A migration module: a default export with `up` and `down`, typed in TypeScript. */
function migrationModule(language: MigrationLanguage, title: string, up: readonly string[], down: readonly string[]): string {
  const ts = language === 'ts';
  const param = ts ? 'app: PlinthApp' : 'app';
  const lines = [
    `// ${title}`,
    ...(ts ? ["import type { PlinthApp } from 'plinth';", ''] : ["/** @typedef {import('plinth').PlinthApp} PlinthApp */", '']),
    'export default {',
    ...(ts ? [] : ['  /** @param {PlinthApp} app */']),
    `  async up(${param}) {`,
    ...up.map((line) => indent(line, '    ')),
    '  },',
    '',
    ...(ts ? [] : ['  /** @param {PlinthApp} app */']),
    `  async down(${param}) {`,
    ...down.map((line) => indent(line, '    ')),
    '  },',
    '};',
    '',
  ];
  return lines.join('\n');
}

/** JSON spread over lines, as a literal a migration can hold. */
function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function indent(text: string, by: string): string {
  return text.split('\n').map((line) => (line === '' ? line : by + line)).join('\n');
}
