/**
 * SqlLogStore is the LogStore over SQL, the same on both engines: the caller hands
 * it the connection — `<dir>/auxiliary.db` on SQLite, the database itself on
 * PostgreSQL (docs/operations.md §Logs). Filters and sorts go through the filter
 * language's compiler against a schema holding `_logs` alone, so every value is bound
 * and no other table can be named.
 */
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { createRuleCompiler, type RuleCompiler, type CompileOptions } from '../rules/rule-compiler.js';
import { guestRequest } from '../rules/request-info.js';
import { LOGS_COLLECTION, LOGS_TABLE, logsSchema } from './logs-collection.js';
import type { LogEntry, LogListQuery, LogStatsItem, LogStore, NewLogEntry } from './log-store.js';

/** What a SqlLogStore needs. */
export interface SqlLogStoreDeps {
  db: Db;
  dialect: Dialect;
  /** Closes the connection when the store owns it (the SQLite auxiliary database). */
  close?: () => Promise<void>;
}

/** The rows one multi-row insert statement carries (5 bound values each). */
const INSERT_CHUNK = 50;

/** The LogStore over a SQL connection. */
export class SqlLogStore implements LogStore {
  private readonly compiler: RuleCompiler;
  private readonly options: CompileOptions;
  /** The INSERT text for a chunk of INSERT_CHUNK rows and for one row, compiled once. */
  private readonly insertSql = new Map<number, string>();

  constructor(private readonly deps: SqlLogStoreDeps) {
    this.compiler = createRuleCompiler({ dialect: deps.dialect, schema: logsSchema() });
    // The logs API is for superusers: they may filter on anything in the table.
    this.options = { collection: LOGS_COLLECTION, rootAlias: 'root', request: guestRequest({ isSuperuser: true }), mode: 'clientFilter' };
  }

  async insert(entries: readonly NewLogEntry[]): Promise<void> {
    // NOTE: full chunks of INSERT_CHUNK rows, then one row at a time, in one transaction: two SQL
    // texts in all, so the prepared-statement cache holds two statements, not one per batch size.
    // The SQL text of each size is compiled once (Kysely would rebuild and recompile a
    // 250-value statement per chunk); only the bound values are made per batch.
    await this.deps.db.transaction().execute(async (trx) => {
      let i = 0;
      for (; i + INSERT_CHUNK <= entries.length; i += INSERT_CHUNK) await this.insertRows(trx, entries, i, INSERT_CHUNK);
      for (; i < entries.length; i++) await this.insertRows(trx, entries, i, 1);
    });
  }

  private async insertRows(exec: Executor, entries: readonly NewLogEntry[], from: number, count: number): Promise<void> {
    let text = this.insertSql.get(count);
    if (text === undefined) {
      const rows = Array.from({ length: count }, () => sql`(${''}, ${''}, ${0}, ${''}, ${''})`);
      text = sql`INSERT INTO ${sql.table(LOGS_TABLE)} (id, created, level, message, data) VALUES ${sql.join(rows)}`.compile(exec).sql;
      this.insertSql.set(count, text);
    }
    const values: unknown[] = new Array(count * 5);
    for (let k = 0; k < count; k++) {
      const e = entries[from + k]!;
      values[k * 5] = e.id;
      values[k * 5 + 1] = e.created;
      values[k * 5 + 2] = e.level;
      values[k * 5 + 3] = e.message;
      values[k * 5 + 4] = e.dataJson;
    }
    await exec.executeQuery(CompiledQuery.raw(text, values));
  }

  async list(q: LogListQuery): Promise<{ items: LogEntry[]; total: number }> {
    const where = this.where(q.filter);
    // With no sort, newest first (PocketBase's dashboard asks for `-@rowid`); insertion order breaks ties.
    const order: RawBuilder<unknown>[] = q.sort.trim() !== '' ? this.compiler.compileSort(q.sort, this.options) : [];
    order.push(this.deps.dialect.insertionOrder('root', q.sort.trim() === '' || lastDescending(q.sort)));
    const offset = (q.page - 1) * q.perPage;
    const { rows } = await sql<Row>`SELECT root.id, root.created, root.level, root.message, root.data FROM ${sql.table(LOGS_TABLE)} AS root
      ${where} ORDER BY ${sql.join(order)} LIMIT ${q.perPage} OFFSET ${offset}`.execute(this.deps.db);
    let total = -1;
    if (q.withTotal) {
      const count = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(LOGS_TABLE)} AS root ${where}`.execute(this.deps.db);
      total = Number(count.rows[0]?.n ?? 0);
    }
    return { items: rows.map(toEntry), total };
  }

  async get(id: string): Promise<LogEntry | undefined> {
    const { rows } = await sql<Row>`SELECT id, created, level, message, data FROM ${sql.table(LOGS_TABLE)} WHERE id = ${id}`.execute(this.deps.db);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async stats(filter: string): Promise<LogStatsItem[]> {
    // The hour is the first 13 characters of the datetime text (`2026-12-06 20`), the same on both engines.
    const hour = sql`(substr(root.created, 1, 13) || ':00:00.000Z')`;
    const { rows } = await sql<{ total: number; date: string }>`SELECT COUNT(*) AS total, ${hour} AS date
      FROM ${sql.table(LOGS_TABLE)} AS root ${this.where(filter)} GROUP BY ${hour} ORDER BY ${hour} ASC`.execute(this.deps.db);
    return rows.map((r) => ({ total: Number(r.total), date: String(r.date) }));
  }

  async deleteBefore(created: string): Promise<void> {
    await sql`DELETE FROM ${sql.table(LOGS_TABLE)} WHERE created < ${created}`.execute(this.deps.db);
  }

  async deleteAll(): Promise<void> {
    await sql`DELETE FROM ${sql.table(LOGS_TABLE)}`.execute(this.deps.db);
  }

  async close(): Promise<void> {
    await this.deps.close?.();
  }

  private where(filter: string): RawBuilder<unknown> {
    if (filter.trim() === '') return sql``;
    return sql`WHERE ${this.compiler.compileFilter(filter, this.options)}`;
  }
}

interface Row {
  id: string;
  created: string;
  level: number | string;
  message: string;
  data: string | Record<string, unknown> | null;
}

function toEntry(r: Row): LogEntry {
  let data: Record<string, unknown> = {};
  if (typeof r.data === 'string') {
    try {
      data = JSON.parse(r.data) as Record<string, unknown>;
    } catch {
      data = {};
    }
  } else if (r.data && typeof r.data === 'object') {
    data = r.data;
  }
  return { id: r.id, created: r.created, level: Number(r.level), message: r.message, data };
}

/** Whether the last term of a sort is descending (`-field`), so the tie-break runs the same way. */
function lastDescending(sort: string): boolean {
  const items = sort.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return items.length > 0 && items[items.length - 1]!.startsWith('-');
}
