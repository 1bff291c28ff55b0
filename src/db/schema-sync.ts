/**
 * SchemaSync turns collection definitions into tables, columns, views and
 * indexes. It runs inside the caller's transaction, so a schema change and its
 * DDL commit or roll back together (docs/architecture.md §3).
 */
import { sql } from 'kysely';
import type { Collection } from '../core/collections/collection.js';
import { parseIndex } from '../tools/index-parse.js';
import { singleStatement, SqlTokenError } from '../tools/sql-tokens.js';
import { badRequest } from '../errors/app-error.js';
import type { Executor } from './database.js';
import type { Dialect } from './dialect/dialect.js';
import type { FieldStorage, SchemaDdl } from '../core/collections/schema-ddl.js';
import { codeError } from '../errors/code-error.js';
import type { SearchIndexSpec } from './dialect/full-text.js';

/** SchemaSync writes the DDL of collection changes through a Dialect. */
export class SchemaSync implements SchemaDdl {
  constructor(private readonly dialect: Dialect) {}

  /** Lifts the dialect's query timeout for the rest of the transaction. */
  liftQueryTimeout(trx: Executor): Promise<void> {
    return this.dialect.liftQueryTimeout(trx);
  }

  /** Creates the table (or view) and indexes of a new collection. */
  async create(trx: Executor, c: Collection, storage: FieldStorage): Promise<void> {
    const q = (n: string) => this.dialect.quoteId(n);
    if (c.type === 'view') {
      await this.createView(trx, c);
      return;
    }
    const columns = [...c.fields.map((f) => `${q(f.name)} ${this.dialect.columnDefinition(storage.column(f))}`), ...this.dialect.hiddenColumns()];
    await sql.raw(`CREATE TABLE ${q(c.name)} (${columns.join(', ')})`).execute(trx);
    for (const index of c.indexes) await this.createIndex(trx, c, index);
    const search = storage.search(c);
    if (search) await this.dialect.fullText.create(trx, search);
  }

  /** Brings the table of `old` to the shape of `next`: rename, columns, indexes. */
  async update(trx: Executor, old: Collection, next: Collection, storage: FieldStorage): Promise<void> {
    const q = (n: string) => this.dialect.quoteId(n);
    if (next.type === 'view') {
      await sql.raw(`DROP VIEW IF EXISTS ${q(old.name)}`).execute(trx);
      await this.createView(trx, next);
      return;
    }
    // The full-text index names the table and columns: a change to them rebuilds it, unless the
    // same fields were only renamed and the engine carries the index over (docs/search.md §4).
    const oldSearch = storage.search(old);
    const nextSearch = storage.search(next);
    const searchChanged = !sameSearchSpec(oldSearch, nextSearch);
    const renamed = searchChanged && oldSearch && nextSearch && this.dialect.fullText.renamed && sameFields(old, oldSearch, next, nextSearch)
      ? { from: oldSearch, to: nextSearch } : null;
    const nextById = new Map(next.fields.map((f) => [f.id, f]));
    // Indexes may name columns about to change: drop them first, recreate after. Unless no
    // column is renamed or dropped, nor the table: then an index in both stays as it is (a
    // change of rules or of the searchable option rebuilds none of the table's indexes).
    const columnsStay = old.name === next.name && old.fields.every((f) => nextById.get(f.id)?.name === f.name);
    const kept = new Set(columnsStay ? old.indexes.filter((index) => next.indexes.includes(index)) : []);
    const altered = !columnsStay || searchChanged || next.fields.length !== old.fields.length
      || old.indexes.some((index) => !kept.has(index)) || next.indexes.some((index) => !kept.has(index));
    // A change that alters the table first holds off an online step on its search index.
    if (altered) await this.dialect.fullText.hold?.(trx, old.id);
    if (searchChanged && oldSearch && !renamed) await this.dialect.fullText.drop(trx, oldSearch);
    for (const index of old.indexes) if (!kept.has(index)) await this.dropIndex(trx, index);
    if (old.name !== next.name) {
      // NOTE: table names are case-insensitive, so `posts` → `Posts` needs a detour.
      if (old.name.toLowerCase() === next.name.toLowerCase()) {
        const detour = `_plinth_rename_${next.name}`;
        await sql.raw(`ALTER TABLE ${q(old.name)} RENAME TO ${q(detour)}`).execute(trx);
        await sql.raw(`ALTER TABLE ${q(detour)} RENAME TO ${q(next.name)}`).execute(trx);
      } else {
        await sql.raw(`ALTER TABLE ${q(old.name)} RENAME TO ${q(next.name)}`).execute(trx);
      }
    }
    const table = q(next.name);
    for (const f of old.fields) {
      if (!nextById.has(f.id)) await sql.raw(`ALTER TABLE ${table} DROP COLUMN ${q(f.name)}`).execute(trx);
    }
    const oldById = new Map(old.fields.map((f) => [f.id, f]));
    for (const f of next.fields) {
      const before = oldById.get(f.id);
      if (!before) {
        await sql.raw(`ALTER TABLE ${table} ADD COLUMN ${q(f.name)} ${this.dialect.columnDefinition(storage.column(f))}`).execute(trx);
        continue;
      }
      if (before.name !== f.name) {
        await sql.raw(`ALTER TABLE ${table} RENAME COLUMN ${q(before.name)} TO ${q(f.name)}`).execute(trx);
      }
    }
    for (const index of next.indexes) if (!kept.has(index)) await this.createIndex(trx, next, index);
    if (renamed) {
      if (!(await this.dialect.fullText.renamed?.(trx, renamed.from, renamed.to))) {
        await this.dialect.fullText.drop(trx, renamed.to);
        await this.dialect.fullText.create(trx, renamed.to);
      }
    } else if (searchChanged && nextSearch) {
      await this.dialect.fullText.create(trx, nextSearch);
    }
  }

  /** Drops the table (or view) of a collection with its indexes. */
  async drop(trx: Executor, c: Collection): Promise<void> {
    // The collection's search index, if any (its objects are named by the collection id).
    if (c.type !== 'view') {
      await this.dialect.fullText.hold?.(trx, c.id);
      await this.dialect.fullText.drop(trx, { key: c.id, table: c.name, columns: [] });
    }
    const kind = c.type === 'view' ? 'VIEW' : 'TABLE';
    await sql.raw(`DROP ${kind} IF EXISTS ${this.dialect.quoteId(c.name)}`).execute(trx);
  }

  /** The column names a view exposes, in order. */
  async viewColumns(trx: Executor, name: string): Promise<string[]> {
    return this.dialect.tableColumns(trx, name);
  }

  private async createView(trx: Executor, c: Collection): Promise<void> {
    // SECURITY: the view query is SQL written by a superuser (as in PocketBase); it is
    // wrapped as a view definition, which can only read, and must be one statement
    // (the collection service refuses others with a 400; this guards stored ones).
    let query: string;
    try {
      query = singleStatement(c.viewQuery ?? '');
    } catch (err) {
      if (!(err instanceof SqlTokenError)) throw err;
      throw badRequest('Invalid view query.', { viewQuery: codeError('validation_invalid_view_query', undefined, 'The view query must be one SELECT statement.') }, err);
    }
    await sql.raw(`CREATE VIEW ${this.dialect.quoteId(c.name)} AS ${query}`).execute(trx);
  }

  private async createIndex(trx: Executor, c: Collection, index: string): Promise<void> {
    const invalid = () => badRequest('Invalid index.', { indexes: codeError('validation_invalid_index_expression') });
    const parsed = parseIndex(index);
    if (!parsed) throw invalid();
    // SECURITY: the statement as the dialect renders it (quotes rewritten) is checked
    // again, so a rewrite cannot turn one statement into two.
    let ddl: string;
    try {
      ddl = singleStatement(this.dialect.indexDefinition(parsed, c.name));
    } catch (err) {
      if (err instanceof SqlTokenError) throw invalid();
      throw err;
    }
    await sql.raw(ddl).execute(trx);
  }

  private async dropIndex(trx: Executor, index: string): Promise<void> {
    const parsed = parseIndex(index);
    if (parsed) await sql.raw(`DROP INDEX IF EXISTS ${this.dialect.quoteId(parsed.name)}`).execute(trx);
  }
}

/** Whether the searchable columns of `a` and `b` are the same fields (by id), in the same order, whatever their names. */
function sameFields(a: Collection, aSearch: SearchIndexSpec, b: Collection, bSearch: SearchIndexSpec): boolean {
  const ids = (c: Collection, spec: SearchIndexSpec) => spec.columns.map((name) => c.fields.find((f) => f.name === name)?.id ?? '');
  const before = ids(a, aSearch);
  const after = ids(b, bSearch);
  return before.length === after.length && before.every((id, i) => id !== '' && id === after[i]);
}

/** Whether two specs describe the same index (no rebuild needed between them). */
function sameSearchSpec(a: SearchIndexSpec | null, b: SearchIndexSpec | null): boolean {
  if (a === null || b === null) return a === b;
  return a.key === b.key && a.table === b.table && a.columns.join('\0') === b.columns.join('\0');
}
