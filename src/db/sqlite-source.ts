/**
 * A read-only view of an embedded SQLite database (`<dir>/data.db`), for copying
 * it elsewhere: one consistent snapshot of its tables, read in rowid order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Collection } from '../core/collections/collection.js';
import { ConfigError } from '../config/config-error.js';

/** A table or view of the source database. */
export interface SourceTable {
  name: string;
  type: 'table' | 'view';
}

/** A batch of rows: each row's rowid and its values in `columns` order. */
export interface SourceBatch {
  rowids: number[];
  rows: unknown[][];
}

/**
 * SqliteSource reads a Plinth SQLite database without ever writing to it: the
 * file is opened read-only, and every read happens inside one read transaction,
 * so a node still serving the directory cannot make the copy inconsistent.
 */
export class SqliteSource {
  private constructor(
    private readonly raw: Database.Database,
    /** The database file that is read. */
    readonly file: string,
  ) {}

  /** Opens `<dir>/data.db` read-only; a missing file or one that is not Plinth's is a ConfigError on `--dir`. */
  static open(dir: string, source = '--dir'): SqliteSource {
    const file = join(dir, 'data.db');
    if (!existsSync(file)) throw new ConfigError(source, `no Plinth database at ${file}`);
    return SqliteSource.openFile(file, '_collections', source);
  }

  /** Opens the request logs `<dir>/auxiliary.db` read-only; null when the node never wrote one. */
  static openLogs(dir: string, source = '--dir'): SqliteSource | null {
    const file = join(dir, 'auxiliary.db');
    return existsSync(file) ? SqliteSource.openFile(file, '_logs', source) : null;
  }

  /** Opens `file` read-only in one read transaction, checking that it holds `table`. */
  private static openFile(file: string, table: string, source: string): SqliteSource {
    let raw: Database.Database | undefined;
    try {
      // NOTE: readonly makes SQLite itself refuse any write, pragmas included;
      // a WAL left by a killed node is still read (SQLite opens it without checkpointing).
      raw = new Database(file, { readonly: true, fileMustExist: true });
      raw.pragma('busy_timeout = 10000');
      raw.exec('BEGIN');
      raw.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).all();
    } catch (err) {
      raw?.close();
      throw new ConfigError(source, `${file} is not a Plinth database: ${err instanceof Error ? err.message : String(err)}`);
    }
    return new SqliteSource(raw, file);
  }

  /** The tables and views of the database, SQLite's own excluded. */
  objects(): SourceTable[] {
    return this.raw
      .prepare(`SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`)
      .all() as SourceTable[];
  }

  /** The collection definitions, in the order the server loads them. */
  collections(): Collection[] {
    const rows = this.raw.prepare('SELECT data FROM _collections ORDER BY created, name').all() as Array<{ data: string }>;
    return rows.map((r) => JSON.parse(r.data) as Collection);
  }

  /** The column names of a table, in order. */
  columns(table: string): string[] {
    const rows = this.raw.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as Array<{ name: string }>;
    return rows.map((r) => r.name);
  }

  /** The number of rows of a table. */
  count(table: string): number {
    const row = this.raw.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number };
    return row.n;
  }

  /**
   * The rows of a table in rowid (insertion) order, `size` at a time.
   * NOTE: keyset pages instead of one open iterator: better-sqlite3 refuses other
   * statements on a connection while an iterator is open. `_rowid_` is a reserved
   * field name, so it always means the real rowid.
   */
  *batches(table: string, columns: readonly string[], size: number): Generator<SourceBatch> {
    const list = ['_rowid_', ...columns.map(quote)].join(', ');
    const stmt = this.raw.prepare(`SELECT ${list} FROM ${quote(table)} WHERE _rowid_ > ? ORDER BY _rowid_ LIMIT ?`).raw(true);
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = stmt.all(after, size) as unknown[][];
      if (page.length === 0) return;
      yield { rowids: page.map((r) => r[0] as number), rows: page.map((r) => r.slice(1)) };
      after = page[page.length - 1]![0] as number;
      if (page.length < size) return;
    }
  }

  /** Ends the read transaction and closes the file. */
  close(): void {
    if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
    this.raw.close();
  }
}

/** Double-quotes an SQLite identifier (names come from the database's own catalog). */
function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
