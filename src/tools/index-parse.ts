/**
 * The CREATE INDEX statements a collection carries (docs/api.md §2.1 `indexes`): a small
 * parser and its renderer. Collections store indexes as SQLite-flavoured text; the
 * parsed form lets the validator check names and columns, and lets the database
 * layer render the statement for its dialect with the table renamed.
 */
import { isOneExpression } from './sql-tokens.js';

/** One indexed column: a field name with an optional collation and direction. */
export interface IndexColumn {
  name: string;
  collate?: string;
  sort?: 'ASC' | 'DESC';
}

/** A parsed `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (cols…) [WHERE …]`. */
export interface ParsedIndex {
  unique: boolean;
  ifNotExists: boolean;
  name: string;
  table: string;
  columns: IndexColumn[];
  /** The raw partial-index condition, `""` when there is none. */
  where: string;
}

const WORD = /^\w+$/;

/**
 * Parses one CREATE INDEX statement, or returns null when it is not one this
 * server accepts. Identifiers may be bare or quoted with backticks, double quotes
 * or brackets, and must be `\w+`; columns are plain field names (no expressions).
 */
export function parseIndex(sql: string): ParsedIndex | null {
  if (typeof sql !== 'string') return null;
  let text = sql.trim();
  if (text.endsWith(';')) text = text.slice(0, -1).trimEnd();
  const head = /^CREATE\s+(UNIQUE\s+)?INDEX\s+(IF\s+NOT\s+EXISTS\s+)?/i.exec(text);
  if (!head) return null;
  let rest = text.slice(head[0].length);

  const name = readIdent(rest);
  if (!name) return null;
  rest = rest.slice(name.length).trimStart();
  const on = /^ON\s+/i.exec(rest);
  if (!on) return null;
  rest = rest.slice(on[0].length);
  const table = readIdent(rest);
  if (!table) return null;
  rest = rest.slice(table.length).trimStart();

  if (!rest.startsWith('(')) return null;
  const close = rest.indexOf(')');
  if (close < 0) return null;
  const columns = parseColumns(rest.slice(1, close));
  if (!columns) return null;
  rest = rest.slice(close + 1).trim();

  let where = '';
  if (rest !== '') {
    const w = /^WHERE\s+/i.exec(rest);
    if (!w) return null;
    where = rest.slice(w[0].length).trim();
    if (!isSafeCondition(where)) return null;
  }

  return {
    unique: head[1] !== undefined,
    ifNotExists: head[2] !== undefined,
    name: unquote(name),
    table: unquote(table),
    columns,
    where,
  };
}

/** Renders a parsed index back to SQL with backtick-quoted identifiers, on `table` when given. */
export function buildIndex(index: ParsedIndex, table: string = index.table): string {
  const cols = index.columns
    .map((c) => `\`${c.name}\`${c.collate ? ` COLLATE ${c.collate}` : ''}${c.sort ? ` ${c.sort}` : ''}`)
    .join(', ');
  let sql = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${index.ifNotExists ? 'IF NOT EXISTS ' : ''}`;
  sql += `\`${index.name}\` ON \`${table}\` (${cols})`;
  if (index.where !== '') sql += ` WHERE ${index.where}`;
  return sql;
}

/**
 * Rewrites the table of an index statement to `table` (docs/api.md §2.1: the table name
 * follows the collection name on save). Unparseable text is returned unchanged so
 * the validator can report it.
 */
export function renameIndexTable(sql: string, table: string): string {
  const parsed = parseIndex(sql);
  return parsed ? buildIndex(parsed, table) : sql;
}

/** Finds the first UNIQUE index over exactly this one column (case-insensitive), partial ones included. */
export function findSingleColumnUniqueIndex(indexes: readonly string[], column: string): ParsedIndex | undefined {
  const lower = column.toLowerCase();
  for (const sql of indexes) {
    const parsed = parseIndex(sql);
    if (parsed?.unique && parsed.columns.length === 1 && parsed.columns[0]!.name.toLowerCase() === lower) {
      return parsed;
    }
  }
  return undefined;
}

function readIdent(text: string): string | null {
  const m = /^(`[^`]*`|"[^"]*"|\[[^\]]*\]|\w+)/.exec(text);
  if (!m) return null;
  return WORD.test(unquote(m[1]!)) ? m[1]! : null;
}

function unquote(ident: string): string {
  const first = ident[0];
  return first === '`' || first === '"' || first === '[' ? ident.slice(1, -1) : ident;
}

function parseColumns(list: string): IndexColumn[] | null {
  const parts = list.split(',');
  const columns: IndexColumn[] = [];
  for (const part of parts) {
    const m = /^\s*(`[^`]*`|"[^"]*"|\[[^\]]*\]|\w+)(?:\s+COLLATE\s+(\w+))?(?:\s+(ASC|DESC))?\s*$/i.exec(part);
    if (!m) return null;
    const name = unquote(m[1]!);
    if (!WORD.test(name)) return null;
    const column: IndexColumn = { name };
    if (m[2]) column.collate = m[2];
    if (m[3]) column.sort = m[3].toUpperCase() as 'ASC' | 'DESC';
    columns.push(column);
  }
  return columns.length > 0 ? columns : null;
}

// SECURITY: a partial-index condition is raw SQL written by a superuser and run as
// DDL. It is kept to one balanced expression under both engines' grammars: no
// statement separator, no comment that could hide the rest of a statement, every
// quote and parenthesis closed (see sql-tokens.ts).
function isSafeCondition(where: string): boolean {
  return isOneExpression(where);
}
