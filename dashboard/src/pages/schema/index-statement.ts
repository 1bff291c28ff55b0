/**
 * An index of a collection as a form edits it, and its `CREATE [UNIQUE] INDEX` statement
 * (docs/api.md §2.1: SQLite syntax; the server rewrites the table name on save, and renders
 * the statement for its engine: docs/dashboard.md, "Collections editor").
 */

/** The sort orders a column may take; '' leaves it to the engine (ascending). */
export const INDEX_ORDERS = ['', 'ASC', 'DESC'] as const;
export type IndexOrder = (typeof INDEX_ORDERS)[number];

/**
 * The collations the form offers, because they mean the same on both engines: '' (the column's
 * own, byte-wise) and NOCASE (case-insensitive: SQLite's collation, an index on lower(column)
 * on PostgreSQL). SQLite's RTRIM has no PostgreSQL counterpart (the server drops it there), so
 * it is kept when a statement has it but not offered.
 */
export const INDEX_COLLATIONS = ['', 'NOCASE'] as const;

/** One indexed column. */
export interface IndexColumnSpec {
  name: string;
  /** A collation name (`NOCASE`), or '' for the column's own. */
  collate: string;
  order: IndexOrder;
}

/** The parts of one index statement. */
export interface IndexSpec {
  name: string;
  unique: boolean;
  /** In index order. */
  columns: IndexColumnSpec[];
  /** The partial index's condition, without `WHERE`; empty for none. */
  where: string;
}

const STATEMENT = /^\s*create\s+(unique\s+)?index\s+(?:if\s+not\s+exists\s+)?[`"[]?([\w]+)[`"\]]?\s+on\s+[`"[]?\w+[`"\]]?\s*\(([^)]*)\)\s*(?:where\s+([\s\S]*))?$/i;
const COLUMN = /^\s*[`"[]?(\w+)[`"\]]?(?:\s+collate\s+(\w+))?(?:\s+(asc|desc))?\s*$/i;

/** The parts of `sql`, or null when it is not a plain index statement this form can edit. */
export function parseIndex(sql: string): IndexSpec | null {
  const match = STATEMENT.exec(sql);
  if (!match) return null;
  const columns: IndexColumnSpec[] = [];
  for (const part of match[3]!.split(',')) {
    const column = COLUMN.exec(part);
    if (!column) return null;
    columns.push({ name: column[1]!, collate: column[2]?.toUpperCase() ?? '', order: (column[3]?.toUpperCase() ?? '') as IndexOrder });
  }
  return { unique: Boolean(match[1]), name: match[2]!, columns, where: (match[4] ?? '').trim() };
}

/** A column as the form adds it: the column's own collation, the engine's order. */
export function plainColumn(name: string): IndexColumnSpec {
  return { name, collate: '', order: '' };
}

/** The statement of `spec` on `table`. */
export function indexStatement(spec: IndexSpec, table: string): string {
  const columns = spec.columns.map((c) => `\`${c.name}\`${c.collate ? ` COLLATE ${c.collate}` : ''}${c.order ? ` ${c.order}` : ''}`).join(', ');
  const where = spec.where.trim() ? ` WHERE ${spec.where.trim()}` : '';
  return `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX \`${spec.name}\` ON \`${table}\` (${columns})${where}`;
}

/** A name for a new index of `table` that no other index has. */
export function freeIndexName(table: string, indexes: readonly string[]): string {
  const taken = new Set(indexes.map((sql) => parseIndex(sql)?.name.toLowerCase()));
  for (let i = 1; ; i++) {
    const name = `idx_${table || 'collection'}_${i}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
}
