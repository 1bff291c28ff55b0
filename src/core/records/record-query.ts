/**
 * RecordQuery finds records for app code (docs/hooks.md §4, PocketBase's
 * `app.findRecordsByFilter` and friends): trusted reads — no API rule applies,
 * hidden fields may be filtered and sorted by — with filters compiled by the one
 * rule compiler and `{:name}` placeholders bound from the caller's params.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest } from '../../errors/app-error.js';
import { NotFoundError } from '../../errors/api-errors.js';
import { findField, type Collection } from '../collections/collection.js';
import { guestRequest } from '../rules/request-info.js';
import type { CompileOptions, RuleCompiler } from '../rules/rule-compiler.js';
import { rootTable, rowToValues, toStored, type RecordValues } from './record-store.js';

/** Values of a filter's `{:name}` placeholders. */
export type FilterParams = Readonly<Record<string, unknown>>;

/** What a filtered find asks for. */
export interface FilterQuery {
  /** A filter of the API's language; blank matches every record. */
  filter: string;
  /** A sort of the API's language (`-created,title`); blank keeps insertion order. */
  sort?: string;
  /** The most records returned; 0 or less: no limit. */
  limit?: number;
  /** Records skipped first. */
  offset?: number;
  params?: FilterParams;
  /** Append the dialect's row lock (PostgreSQL `FOR UPDATE`); only meaningful in a transaction. */
  forUpdate?: boolean;
}

/** What RecordQuery needs. */
export interface RecordQueryDeps {
  compiler: RuleCompiler;
  dialect: Dialect;
}

/** RecordQuery runs the finders of app code on an executor (the database or a transaction). */
export class RecordQuery {
  constructor(private readonly deps: RecordQueryDeps) {}

  /** The records with these ids that exist, in the order the ids are given (duplicates once). */
  async byIds(exec: Executor, c: Collection, ids: readonly string[], forUpdate = false): Promise<RecordValues[]> {
    const wanted = [...new Set(ids.filter((id) => typeof id === 'string'))];
    const found = new Map<string, RecordValues>();
    // NOTE: chunks stay well below the engines' bound-parameter limits.
    for (let i = 0; i < wanted.length; i += 500) {
      const chunk = wanted.slice(i, i + 500);
      const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(c)} WHERE root.${sql.ref('id')} IN (${sql.join(chunk)})${this.lock(c, forUpdate)}`.execute(exec);
      for (const row of rows) found.set(String(row.id), rowToValues(c, row));
    }
    const out: RecordValues[] = [];
    for (const id of wanted) {
      const values = found.get(id);
      if (values) out.push(values);
    }
    return out;
  }

  /** The records matching a filter, sorted and paged. 400 for a filter or sort that does not compile. */
  async byFilter(exec: Executor, c: Collection, q: FilterQuery): Promise<RecordValues[]> {
    const where = this.where(c, q.filter, q.params);
    const order = q.sort && q.sort.trim() !== '' ? this.deps.compiler.compileSort(q.sort, this.options(c, q.params)) : [];
    if (c.type !== 'view') order.push(this.deps.dialect.insertionOrder('root'));
    const orderBy = order.length > 0 ? sql`ORDER BY ${sql.join(order)}` : sql``;
    const offset = q.offset !== undefined && q.offset > 0 ? Math.floor(q.offset) : 0;
    const limited = q.limit !== undefined && q.limit > 0;
    // NOTE: SQLite takes OFFSET only after a LIMIT; "no limit" with an offset is the largest one.
    const limit = limited || offset > 0 ? sql`LIMIT ${limited ? Math.floor(q.limit!) : Number.MAX_SAFE_INTEGER}` : sql``;
    const skip = offset > 0 ? sql`OFFSET ${offset}` : sql``;
    const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(c)} ${where} ${orderBy} ${limit} ${skip}${this.lock(c, q.forUpdate)}`.execute(exec);
    return rows.map((row) => rowToValues(c, row));
  }

  /** The first record matching a filter; a 404 NotFoundError when none does. */
  async firstByFilter(exec: Executor, c: Collection, q: Omit<FilterQuery, 'limit' | 'offset'>): Promise<RecordValues> {
    const [first] = await this.byFilter(exec, c, { ...q, limit: 1 });
    if (!first) throw new NotFoundError();
    return first;
  }

  /** The first record whose field `field` holds `value` (compared as stored); 400 for a field `c` lacks, 404 for no match. */
  async firstByData(exec: Executor, c: Collection, field: string, value: unknown, forUpdate = false): Promise<RecordValues> {
    const f = findField(c, field);
    if (!f) throw badRequest(`Collection ${JSON.stringify(c.name)} has no field ${JSON.stringify(field)}.`);
    const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(c)} WHERE root.${sql.ref(f.name)} = ${toStored(f, value)} LIMIT 1${this.lock(c, forUpdate)}`.execute(exec);
    if (!rows[0]) throw new NotFoundError();
    return rowToValues(c, rows[0]);
  }

  /** How many records match a filter (every record for a blank one). */
  async count(exec: Executor, c: Collection, filter = '', params?: FilterParams): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${rootTable(c)} ${this.where(c, filter, params)}`.execute(exec);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The auth record with this email, matched case-insensitively as sign-in does (ASCII
   * folding in both dialects); 400 for a collection that is not an auth one, 404 for none.
   */
  async authByEmail(exec: Executor, c: Collection, email: string, forUpdate = false): Promise<RecordValues> {
    if (c.type !== 'auth') throw badRequest(`Collection ${JSON.stringify(c.name)} is not an auth collection.`);
    if (typeof email !== 'string' || email === '') throw new NotFoundError();
    const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(c)} WHERE lower(root.${sql.ref('email')}) = lower(${email}) LIMIT 1${this.lock(c, forUpdate)}`.execute(exec);
    if (!rows[0]) throw new NotFoundError();
    return rowToValues(c, rows[0]);
  }

  /** The WHERE clause of a filter, or nothing for a blank one. */
  private where(c: Collection, filter: string, params: FilterParams | undefined): RawBuilder<unknown> {
    if (typeof filter !== 'string') throw badRequest('The filter must be a string.');
    if (filter.trim() === '') return sql``;
    return sql`WHERE (${this.deps.compiler.compileFilter(filter, this.options(c, params))})`;
  }

  /** Trusted compilation: rule mode (hidden fields readable), no requester, placeholders bound from `params`. */
  private options(c: Collection, params: FilterParams | undefined): CompileOptions {
    return { collection: c, rootAlias: 'root', request: guestRequest(), mode: 'rule', params: params ?? {} };
  }

  /** The row lock, when asked for; a view has no rows of its own to lock. */
  private lock(c: Collection, forUpdate: boolean | undefined): RawBuilder<unknown> {
    return forUpdate && c.type !== 'view' ? this.deps.dialect.lockRows() : sql``;
  }
}
