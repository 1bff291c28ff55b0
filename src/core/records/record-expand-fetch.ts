/**
 * Finds the back-related records of many parents at once for `expand` (docs/api.md §3.8):
 * one query per chunk of parents, each parent's rows capped, in insertion order.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import type { Collection, Field } from '../collections/collection.js';
import { rootTable } from './record-store.js';

/** One back-related record found for a parent: its id, and its row when the query read it whole. */
export interface BackRelated {
  parent: string;
  id: string;
  row?: Record<string, unknown>;
}

/** How to read the back-relation `<target>_via_<field>` of some parents. */
export interface BackRelationQuery {
  target: Collection;
  field: Field;
  /** Whether `field` holds many ids (a JSON array). */
  multiple: boolean;
  /** The viewRule condition over alias `root`, or null for none. */
  condition: RawBuilder<boolean> | null;
  /** The most rows per parent (PocketBase's 1000). */
  perParent: number;
}

// NOTE: parents per query stay well below SQLite's (32766) and PostgreSQL's (65535)
// bound-parameter limits, with room for the parameters of the viewRule condition.
const PARENTS_PER_QUERY = 500;

// Column names of the query's own values; `@` cannot start a field name, so they never clash.
const PARENT_COLUMN = '@parent';
const RANK_COLUMN = '@rank';

/**
 * The records of `q.target` whose `q.field` names one of `parentIds`, at most `q.perParent`
 * per parent and at most `limit` in all (a caller asks for one more than it accepts to see it
 * passed). A record that names several of the parents comes once per parent.
 *
 * NOTE: a multiple field gives ids only (no `row`): a record named by many parents would
 * otherwise cross over whole once per parent (a relation of 1000 ids is 17 KB a row). A
 * single field names one parent, so its rows come whole, saving a second read.
 */
export async function findBackRelated(exec: Executor, dialect: Dialect, q: BackRelationQuery, parentIds: readonly string[], limit: number): Promise<BackRelated[]> {
  const out: BackRelated[] = [];
  for (let i = 0; i < parentIds.length && out.length < limit; i += PARENTS_PER_QUERY) {
    const chunk = parentIds.slice(i, i + PARENTS_PER_QUERY);
    const rows = await queryChunk(exec, dialect, q, chunk, limit - out.length);
    for (const row of rows) out.push({ parent: String(row[PARENT_COLUMN]), id: String(row.id), row: q.multiple ? undefined : row });
  }
  return out;
}

function queryChunk(exec: Executor, dialect: Dialect, q: BackRelationQuery, parents: readonly string[], limit: number): Promise<Record<string, unknown>[]> {
  // A multiple relation is joined with its items, one row per (record, named parent).
  const parent = q.multiple ? sql`__bp.value` : sql`root.${sql.ref(q.field.name)}`;
  const from = q.multiple ? sql`${rootTable(q.target)}, ${dialect.jsonEach(sql`root.${sql.ref(q.field.name)}`)} AS __bp` : rootTable(q.target);
  const match = sql<boolean>`${parent} IN (${sql.join(parents.map((id) => sql`${id}`))})`;
  const where = q.condition ? sql`${match} AND (${q.condition})` : match;
  // ROW_NUMBER per parent keeps PocketBase's per-record cap while reading every parent at once.
  const rank = sql`ROW_NUMBER() OVER (PARTITION BY ${parent} ORDER BY ${dialect.insertionOrder('root')})`;
  const columns = q.multiple ? sql`root.${sql.ref('id')} AS id` : sql`root.*`;
  const inner = sql`SELECT ${columns}, ${parent} AS ${sql.id(PARENT_COLUMN)}, ${rank} AS ${sql.id(RANK_COLUMN)} FROM ${from} WHERE ${where}`;
  return sql<Record<string, unknown>>`SELECT * FROM (${inner}) AS __back WHERE ${sql.id(RANK_COLUMN)} <= ${q.perParent} ORDER BY ${sql.id(RANK_COLUMN)} LIMIT ${limit}`
    .execute(exec)
    .then((r) => r.rows);
}
