/**
 * Reads a view query before it is run as DDL (docs/api.md §2.1): it must be one SELECT
 * statement, and it must not publish what no record JSON ever shows. A view query
 * is written by a superuser, but its rows are public under the view's listRule,
 * so these checks exist to stop secrets from being published by accident.
 *
 * SECURITY: what can be detected reliably from the text is refused with a 400:
 * - wildcards (`*`, `t.*`), which would copy every column, secrets included;
 * - any mention of a password or tokenKey column of a collection the query reads
 *   (`SELECT password AS p`, `substr(password, 1, 10)`, `WHERE tokenKey …`);
 * - a bare reference to a table or alias of a collection holding secrets, hidden
 *   fields or emails outside FROM (PostgreSQL reads `to_jsonb(u)` or `u::text` as
 *   the whole row).
 * Each check runs under every grammar the text may meet (sql-tokens.ts).
 */
import type { Collection, Field } from './collection.js';
import { emailGuardOf } from './email-visibility.js';
import { singleStatement, SQL_GRAMMARS, SqlTokenError, tokenizeSql, type SqlToken } from '../../tools/sql-tokens.js';

/** Raised for a view query that cannot be saved; the message is for the superuser. */
export class ViewQueryError extends Error {}

/** Where a column of the view comes from when it is a plain column reference (`u.email`, `title`). */
export interface ColumnOrigin {
  /** The FROM alias (or table name) it is read through, lower-cased. */
  alias: string;
  collection: Collection;
  field: Field;
}

/** One column of the view's outer SELECT list. */
export interface ViewColumn {
  /** The column's name in the view (its alias, else the column name). */
  name: string;
  /** Set when the column is a plain reference to a field of a collection. */
  origin: ColumnOrigin | null;
  /** Whether an expression column reads a hidden field or an auth email (it is then hidden itself). */
  sensitive: boolean;
}

/** What the outer SELECT list of a view query reads. */
export interface ViewQueryAnalysis {
  columns: ViewColumn[];
}

const CLAUSE_END = new Set(['WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'INTERSECT', 'EXCEPT', 'WINDOW', 'ON', 'USING', 'SELECT']);
const JOIN_WORDS = new Set(['JOIN', 'LEFT', 'RIGHT', 'INNER', 'OUTER', 'CROSS', 'FULL', 'NATURAL', 'LATERAL']);
// Words that end an expression and so are never an implicit column alias.
const NOT_ALIAS = new Set(['END', 'NULL', 'TRUE', 'FALSE', 'AND', 'OR', 'NOT', 'IS', 'DESC', 'ASC', 'FROM', 'AS', 'DISTINCT', 'ALL']);

/** Why a view query cannot be saved, as a one-sentence message, or null when it can. */
export function viewQueryProblem(query: string, all: readonly Collection[]): string | null {
  try {
    analyzeViewQuery(query, all);
    return null;
  } catch (err) {
    if (err instanceof ViewQueryError) return err.message;
    throw err;
  }
}

/** Checks a view query and reads its outer SELECT list; throws ViewQueryError when it cannot be saved. */
export function analyzeViewQuery(query: string, all: readonly Collection[]): ViewQueryAnalysis {
  let text: string;
  try {
    text = singleStatement(query);
    for (const grammar of SQL_GRAMMARS) checkSecrets(tokenizeSql(text, grammar).tokens, all);
  } catch (err) {
    if (err instanceof SqlTokenError) throw new ViewQueryError(`The view query must be one SELECT statement (${err.message}).`);
    throw err;
  }
  const tokens = tokenizeSql(text, 'sqlite').tokens;
  const sources = fromSources(tokens, all);
  const read = [...readCollections(tokens, fromPositions(tokens), all).values()];
  return { columns: selectItems(tokens).map((item) => describeColumn(item, sources, read)) };
}

const upper = (t: SqlToken | undefined) => (t?.kind === 'word' ? t.value.toUpperCase() : '');
const isName = (t: SqlToken | undefined): t is SqlToken => t !== undefined && (t.kind === 'word' || t.kind === 'ident');
const isPunct = (t: SqlToken | undefined, p: string) => t?.kind === 'punct' && t.value === p;

/** Refuses wildcards, secret columns and whole-row references (see the file comment). */
function checkSecrets(tokens: SqlToken[], all: readonly Collection[]): void {
  const inFrom = fromPositions(tokens);
  const read = readCollections(tokens, inFrom, all);
  const secrets = new Set<string>();
  const wholeRows = new Map<string, Collection>();
  for (const c of read.values()) {
    for (const f of c.fields) if (isSecretField(c, f)) secrets.add(f.name.toLowerCase());
    if (c.type === 'auth' || c.fields.some((f) => f.hidden || isSecretField(c, f) || emailGuardOf(c, f.name))) wholeRows.set(c.name.toLowerCase(), c);
  }
  // Aliases of those collections (`users u`, `users AS u`).
  tokens.forEach((t, i) => {
    const c = isName(t) && inFrom[i] ? wholeRows.get(t.value.toLowerCase()) : undefined;
    if (!c) return;
    const alias = upper(tokens[i + 1]) === 'AS' ? tokens[i + 2] : tokens[i + 1];
    const word = upper(alias);
    if (isName(alias) && !CLAUSE_END.has(word) && !JOIN_WORDS.has(word)) wholeRows.set(alias.value.toLowerCase(), c);
  });
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    if (isPunct(t, '*') && (isPunct(prev, ',') || isPunct(prev, '.') || ['SELECT', 'DISTINCT', 'ALL'].includes(upper(prev)))) {
      throw new ViewQueryError('Wildcard columns (*) are not supported in a view query: list the columns to publish.');
    }
    if (!isName(t)) return;
    const name = t.value.toLowerCase();
    if (secrets.has(name)) {
      throw new ViewQueryError(`A view query may not read the "${t.value}" column: password hashes and token keys are never published.`);
    }
    if (!inFrom[i] && !isPunct(tokens[i + 1], '.') && wholeRows.has(name)) {
      throw new ViewQueryError(`"${t.value}" would read whole rows of "${wholeRows.get(name)!.name}" in a view query: select its columns by name (qualify a column of the same name).`);
    }
  });
}

/** The collections a query reads: names standing in a FROM or JOIN clause, at any depth. */
function readCollections(tokens: SqlToken[], inFrom: boolean[], all: readonly Collection[]): Map<string, Collection> {
  const byName = new Map(all.map((c) => [c.name.toLowerCase(), c]));
  const read = new Map<string, Collection>();
  tokens.forEach((t, i) => {
    const c = isName(t) && inFrom[i] ? byName.get(t.value.toLowerCase()) : undefined;
    if (c) read.set(c.name.toLowerCase(), c);
  });
  return read;
}

/** Whether a field's value is never published: password hashes, and token keys. */
function isSecretField(c: Collection, f: Field): boolean {
  return f.type === 'password' || (f.name === 'tokenKey' && (c.type === 'auth' || c.type === 'view'));
}

/** For each token, whether it stands in a FROM or JOIN clause (table names and aliases) at its depth. */
function fromPositions(tokens: SqlToken[]): boolean[] {
  const stack = [false];
  return tokens.map((t) => {
    if (isPunct(t, '(')) {
      stack.push(false);
      return false;
    }
    if (isPunct(t, ')')) {
      if (stack.length > 1) stack.pop();
      return false;
    }
    const word = upper(t);
    if (word === 'FROM' || word === 'JOIN') stack[stack.length - 1] = true;
    else if (CLAUSE_END.has(word)) stack[stack.length - 1] = false;
    return stack[stack.length - 1]!;
  });
}

/** The items of the outer SELECT list, each as its tokens. */
function selectItems(tokens: SqlToken[]): SqlToken[][] {
  const items: SqlToken[][] = [];
  let depth = 0;
  let current: SqlToken[] | null = null;
  for (const t of tokens) {
    const word = upper(t);
    if (depth === 0 && current === null) {
      if (word === 'SELECT') current = [];
      continue;
    }
    if (depth === 0 && (word === 'FROM' || CLAUSE_END.has(word))) break;
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (current === null) continue;
    if (depth === 0 && isPunct(t, ',')) {
      items.push(current);
      current = [];
    } else if (!(current.length === 0 && items.length === 0 && (word === 'DISTINCT' || word === 'ALL'))) {
      current.push(t);
    }
  }
  if (current && current.length > 0) items.push(current);
  return items;
}

/** The sources of the outer FROM clause: alias (lower-cased) → collection, or null for a subquery or unknown table. */
function fromSources(tokens: SqlToken[], all: readonly Collection[]): Map<string, Collection | null> {
  const sources = new Map<string, Collection | null>();
  let depth = 0;
  let i = tokens.findIndex((t) => {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    return depth === 0 && upper(t) === 'FROM';
  });
  if (i < 0) return sources;
  i++;
  let expectTable = true;
  depth = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    const word = upper(t);
    if (depth === 0 && CLAUSE_END.has(word) && word !== 'ON' && word !== 'USING') break;
    if (isPunct(t, '(')) {
      if (depth === 0 && expectTable) {
        i = closingParen(tokens, i);
        i = readAlias(tokens, i + 1, null, '', sources) - 1;
        expectTable = false;
        continue;
      }
      depth++;
      continue;
    }
    if (isPunct(t, ')')) {
      depth--;
      continue;
    }
    if (depth !== 0) continue;
    if (isPunct(t, ',') || word === 'JOIN') {
      expectTable = true;
    } else if (expectTable && isName(t) && !JOIN_WORDS.has(word)) {
      let name = t;
      // A schema-qualified name (`main.users`): the table is the last part.
      while (isPunct(tokens[i + 1], '.') && isName(tokens[i + 2])) {
        name = tokens[i + 2]!;
        i += 2;
      }
      const c = all.find((x) => x.name.toLowerCase() === name.value.toLowerCase()) ?? null;
      i = readAlias(tokens, i + 1, c, name.value.toLowerCase(), sources) - 1;
      expectTable = false;
    }
  }
  return sources;
}

/** Registers a source under its alias (or `fallback`); returns the index after the alias. */
function readAlias(tokens: SqlToken[], i: number, c: Collection | null, fallback: string, sources: Map<string, Collection | null>): number {
  let k = i;
  if (upper(tokens[k]) === 'AS') k++;
  const alias = tokens[k];
  const word = upper(alias);
  if (isName(alias) && !CLAUSE_END.has(word) && !JOIN_WORDS.has(word)) {
    sources.set(alias.value.toLowerCase(), c);
    return k + 1;
  }
  if (fallback) sources.set(fallback, c);
  return i;
}

function closingParen(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isPunct(tokens[i], '(')) depth++;
    if (isPunct(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

/** One SELECT item: its name in the view, its origin when it is a plain column reference. */
function describeColumn(item: SqlToken[], sources: Map<string, Collection | null>, read: readonly Collection[]): ViewColumn {
  let expr = item;
  let alias: string | null = null;
  const last = item[item.length - 1];
  const before = item[item.length - 2];
  if (item.length >= 3 && upper(before) === 'AS' && isName(last)) {
    alias = last.value;
    expr = item.slice(0, -2);
  } else if (item.length >= 2 && isName(last) && !NOT_ALIAS.has(upper(last)) && before !== undefined && (['word', 'ident', 'string', 'number'].includes(before.kind) || isPunct(before, ')'))) {
    alias = last.value;
    expr = item.slice(0, -1);
  }
  const ref = plainReference(expr);
  const origin = ref ? resolveReference(ref.qualifier, ref.column, sources) : null;
  const name = alias ?? ref?.column ?? '';
  if (origin) return { name, origin, sensitive: false };
  // SECURITY: an expression, or a column read through a subquery, is sensitive when it
  // names a hidden field or an auth email of any collection the query reads: the
  // value cannot be traced, so it is published to superusers only.
  const names = new Set(expr.filter(isName).map((t) => t.value.toLowerCase()));
  const sensitive = read.some((c) => c.fields.some((f) => (f.hidden || emailGuardOf(c, f.name) !== null) && names.has(f.name.toLowerCase())));
  return { name, origin: null, sensitive };
}

function plainReference(expr: SqlToken[]): { qualifier: string | null; column: string } | null {
  if (expr.length === 1 && isName(expr[0]) && expr[0].kind === 'ident') return { qualifier: null, column: expr[0].value };
  if (expr.length === 1 && isName(expr[0]) && !NOT_ALIAS.has(upper(expr[0]))) return { qualifier: null, column: expr[0].value };
  if (expr.length === 3 && isName(expr[0]) && isPunct(expr[1], '.') && isName(expr[2])) return { qualifier: expr[0].value, column: expr[2].value };
  return null;
}

function resolveReference(qualifier: string | null, column: string, sources: Map<string, Collection | null>): ColumnOrigin | null {
  const lower = column.toLowerCase();
  const fieldOf = (c: Collection) => c.fields.find((f) => f.name.toLowerCase() === lower);
  if (qualifier !== null) {
    const c = sources.get(qualifier.toLowerCase());
    const field = c ? fieldOf(c) : undefined;
    return c && field ? { alias: qualifier.toLowerCase(), collection: c, field } : null;
  }
  // Unqualified: the one source that has such a field, if the others are all known not to.
  const found: ColumnOrigin[] = [];
  for (const [alias, c] of sources) {
    if (!c) return null;
    const field = fieldOf(c);
    if (field) found.push({ alias, collection: c, field });
  }
  return found.length === 1 ? found[0]! : null;
}
