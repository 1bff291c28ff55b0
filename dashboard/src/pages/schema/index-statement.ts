/**
 * An index of a collection as a form edits it, and its `CREATE [UNIQUE] INDEX` statement
 * (docs/api.md §2.1: SQLite syntax; the server rewrites the table name on save).
 */

/** The parts of one index statement. */
export interface IndexSpec {
  name: string;
  unique: boolean;
  columns: string[];
  /** The partial index's condition, without `WHERE`; empty for none. */
  where: string;
}

const STATEMENT = /^\s*create\s+(unique\s+)?index\s+(?:if\s+not\s+exists\s+)?[`"[]?([\w]+)[`"\]]?\s+on\s+[`"[]?\w+[`"\]]?\s*\(([^)]*)\)\s*(?:where\s+([\s\S]*))?$/i;

/** The parts of `sql`, or null when it is not a plain index statement this form can edit. */
export function parseIndex(sql: string): IndexSpec | null {
  const match = STATEMENT.exec(sql);
  if (!match) return null;
  const columns = match[3]!.split(',').map((c) => c.trim().replace(/^[`"[]|[`"\]]$/g, '')).filter(Boolean);
  return { unique: Boolean(match[1]), name: match[2]!, columns, where: (match[4] ?? '').trim() };
}

/** The statement of `spec` on `table`. */
export function indexStatement(spec: IndexSpec, table: string): string {
  const columns = spec.columns.map((c) => `\`${c}\``).join(', ');
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
