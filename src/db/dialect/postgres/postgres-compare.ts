/**
 * Comparisons and orderings of SQLite's dynamically typed values, written for
 * PostgreSQL's strict types. SQLite compares any two values: a column's affinity
 * converts the other side (numeric text → number against a number column, a
 * number → text against a text column), and otherwise NULL < numbers < text.
 * PostgreSQL would raise on most mixed pairs, so they are rewritten here as
 * (rank, number, text) rows, which compare like SQLite's values; same-typed pairs
 * stay as written so that indexes keep working.
 */
import { sql, type RawBuilder } from 'kysely';
import type { ValueKind } from '../dialect.js';
import { boundValue, type Bound } from './postgres-strftime.js';
import { isDecimalText } from '../../../tools/decimal-text.js';

/**
 * Text that SQLite's NUMERIC affinity turns into a number, as a PostgreSQL regular expression
 * literal, for numerals of at most 200 characters with an exponent of at most two digits (see
 * isNumericSql).
 */
const NUMERIC_TEXT = `'^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?0*[0-9]?[0-9])?\\s*$'`;

/**
 * Whether a text expression is a numeral that `CAST(… AS DOUBLE PRECISION)` reads. NOTE: the
 * cast raises "out of range" for a numeral past a double (`1e999`, 400 digits, `1e-999`),
 * where SQLite reads ±Infinity or 0, so such numerals, stored by anyone, read as text here:
 * at most 200 characters and 99 of exponent stay within 1e-298 and 1e299. Counted
 * repetitions (`{1,200}`) would say it in the expression, but PostgreSQL runs them 200 times
 * slower.
 */
export function isNumericSql(t: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(length(${t}) <= 200 AND ${t} ~ ${sql.raw(NUMERIC_TEXT)})`;
}
/**
 * NUMERIC_TEXT in JavaScript, for values known at compile time. NOTE: `trim()` strips
 * exactly JavaScript's `\s`; a scan, because the regular expression is quadratic on V8.
 */
function isNumericText(v: string): boolean {
  return isDecimalText(v.trim(), false);
}

/**
 * The storage-class expression (1 number, 2 text, NULL) of each json_extract result
 * the dialect wrote, keyed by the result's RawBuilder: such a value is ranked exactly
 * instead of by whether its text looks like a number.
 */
export const jsonRanks = new WeakMap<RawBuilder<unknown>, RawBuilder<unknown>>();

/** One side of a comparison as SQLite's rules see it. */
type Side =
  | { cls: 'const'; value: unknown }
  /** A column with NUMERIC affinity (number, bool). */
  | { cls: 'N'; bool: boolean }
  /** A column with TEXT affinity. */
  | { cls: 'T' }
  /** A value without affinity: text, number, or typed per value (json). */
  | { cls: 'X'; of: 'text' | 'number' | 'dyn'; exact?: boolean };

/** How one side is written: as is, as text, or as a (rank, number, text) row of some reading. */
type Form = 'native' | 'asText' | 'numberRow' | 'dynRow' | 'textRow' | 'constRow';

const isRow = (f: Form) => f !== 'native' && f !== 'asText';

/** Rewrites both sides of a comparison (see the file comment); same-typed pairs come back unchanged. */
export function comparablePair(
  left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
): [RawBuilder<unknown>, RawBuilder<unknown>] {
  const a = sideOf(left, leftKind);
  const b = sideOf(right, rightKind);
  if (a.cls === 'const' && b.cls === 'const') return [rankedConstant(a.value), rankedConstant(b.value)];
  let [fa, fb] = forms(a, b);
  // A constant facing a row becomes a row too.
  if (a.cls === 'const' && isRow(fb)) fa = 'constRow';
  if (b.cls === 'const' && isRow(fa)) fb = 'constRow';
  return [write(left, a, fa), write(right, b, fb)];
}

/**
 * Both sides of `COALESCE(l, '') = COALESCE(r, '')` as SQLite evaluates it: NULL
 * becomes '', and since COALESCE strips affinity, values compare by storage class
 * (5 and '5' differ). Two text sides stay plain text.
 */
export function coalescedPair(
  left: RawBuilder<unknown>, right: RawBuilder<unknown>, leftKind?: ValueKind, rightKind?: ValueKind,
): [RawBuilder<unknown>, RawBuilder<unknown>] {
  const a = sideOf(left, leftKind);
  const b = sideOf(right, rightKind);
  if (isPlainText(a) && isPlainText(b)) {
    return [sql`COALESCE(CAST(${left} AS TEXT), '')`, sql`COALESCE(CAST(${right} AS TEXT), '')`];
  }
  return [emptyRow(left, a), emptyRow(right, b)];
}

function isPlainText(side: Side): boolean {
  if (side.cls === 'const') return side.value === null || side.value === undefined || typeof side.value === 'string';
  return side.cls === 'T' || (side.cls === 'X' && side.of === 'text');
}

/** A side as a (rank, number, text) row with NULL read as ''. */
function emptyRow(expr: RawBuilder<unknown>, side: Side): RawBuilder<unknown> {
  if (side.cls === 'const') return rankedConstant(side.value ?? '');
  if (side.cls === 'N' || (side.cls === 'X' && side.of === 'number')) {
    const n = side.cls === 'N' && side.bool ? sql`CAST(${expr} AS INT)` : expr;
    return sql`ROW(CASE WHEN ${n} IS NULL THEN 2 ELSE 1 END, COALESCE(CAST(${n} AS DOUBLE PRECISION), 0), CAST('' AS TEXT))`;
  }
  const t = sql`CAST(${expr} AS TEXT)`;
  if (side.cls === 'T' || side.of === 'text') return sql`ROW(2, CAST(0 AS DOUBLE PRECISION), COALESCE(${t}, '') COLLATE "C")`;
  const rank = jsonRanks.get(expr) ?? sql`(CASE WHEN ${t} IS NULL THEN NULL WHEN ${isNumericSql(t)} THEN 1 ELSE 2 END)`;
  return sql`ROW(COALESCE(${rank}, 2), CASE WHEN ${rank} = 1 THEN CAST(${t} AS DOUBLE PRECISION) ELSE 0 END, CASE WHEN ${rank} = 1 THEN CAST('' AS TEXT) ELSE COALESCE(${t}, '') COLLATE "C" END)`;
}

/** ORDER BY items for a json value: numbers (numerically) before text, NULLs first ascending. */
export function dynamicOrder(expr: RawBuilder<unknown>, one: (e: RawBuilder<unknown>) => RawBuilder<unknown>): RawBuilder<unknown> {
  return sql.join(dynamicKeys(expr).map(one));
}

/** The three values dynamicOrder orders a json value by: its rank (number or text), its number, its text. */
export function dynamicKeys(expr: RawBuilder<unknown>): RawBuilder<unknown>[] {
  const t = sql`CAST(${expr} AS TEXT)`;
  const rank = jsonRanks.get(expr) ?? sql`(CASE WHEN ${t} IS NULL THEN NULL WHEN ${isNumericSql(t)} THEN 1 ELSE 2 END)`;
  return [rank, sql`(CASE WHEN ${rank} = 1 THEN CAST(${t} AS DOUBLE PRECISION) END)`, sql`(${t} COLLATE "C")`];
}

function sideOf(expr: RawBuilder<unknown>, kind: ValueKind | undefined): Side {
  const constant = constantValue(expr);
  if (constant) return { cls: 'const', value: constant.value };
  switch (kind) {
    case 'number':
    case 'bool':
      return { cls: 'N', bool: kind === 'bool' };
    case 'json':
      return { cls: 'X', of: 'dyn', exact: jsonRanks.has(expr) };
    case 'textExpr':
      return { cls: 'X', of: 'text' };
    case 'numberExpr':
      return { cls: 'X', of: 'number' };
    default:
      return { cls: 'T' };
  }
}

/** The forms of a pair where at least one side is not a constant. */
function forms(a: Side, b: Side): [Form, Form] {
  if (a.cls === 'N' || b.cls === 'N') {
    const [n, other, flip] = a.cls === 'N' ? [a, b, false] : [b as Extract<Side, { cls: 'N' }>, a, true];
    const pair = againstNumberColumn(n as Extract<Side, { cls: 'N' }>, other);
    return flip ? [pair[1], pair[0]] : pair;
  }
  if (a.cls === 'T' || b.cls === 'T') {
    const [other, flip] = a.cls === 'T' ? [b, false] : [a, true];
    const pair = againstTextColumn(other);
    return flip ? [pair[1], pair[0]] : pair;
  }
  // Neither side has affinity: no conversion, storage classes decide.
  return [storageForm(a, b), storageForm(b, a)];
}

/** NUMERIC affinity applies to the other side: numeric text becomes a number. */
function againstNumberColumn(n: Extract<Side, { cls: 'N' }>, other: Side): [Form, Form] {
  if (other.cls === 'N') return n.bool === other.bool ? ['native', 'native'] : ['numberRow', 'numberRow'];
  if (other.cls === 'const') {
    const v = other.value;
    if (v === null || v === undefined) return ['native', 'native'];
    const numeric = typeof v === 'number' || (typeof v === 'string' && isNumericText(v) && Number.isFinite(Number(v)));
    // An untyped constant takes the column's type: fine for numbers, and for 0/1 in a bool column.
    if (!n.bool && numeric) return ['native', 'native'];
    if (n.bool && (typeof v === 'boolean' || v === 0 || v === 1 || v === '0' || v === '1')) return ['native', 'native'];
    return ['numberRow', 'native'];
  }
  if (other.cls === 'X' && other.of === 'number') return n.bool ? ['numberRow', 'numberRow'] : ['native', 'native'];
  return ['numberRow', 'dynRow'];
}

/** TEXT affinity applies to the other side: a number becomes text. */
function againstTextColumn(other: Side): [Form, Form] {
  if (other.cls === 'const') return typeof other.value === 'boolean' ? ['native', 'asText'] : ['native', 'native'];
  if (other.cls === 'X' && other.of === 'number') return ['native', 'asText'];
  return ['native', 'native'];
}

/** The form of a side without affinity against another such side or a constant: ranked when their storage classes may differ. */
function storageForm(self: Side, other: Side): Form {
  if (self.cls !== 'X' || !mixed(self, other)) return 'native';
  return self.of === 'number' ? 'numberRow' : self.of === 'text' ? 'textRow' : 'dynRow';
}

/** Whether two affinity-less sides may hold different storage classes (then both are ranked). */
function mixed(a: Side, b: Side): boolean {
  if (a.cls === 'const' && b.cls === 'const') return true;
  if (a.cls === 'const' || b.cls === 'const') {
    const [c, x] = (a.cls === 'const' ? [a, b] : [b, a]) as [Extract<Side, { cls: 'const' }>, Side];
    const v = c.value;
    if (v === null || v === undefined || x.cls !== 'X') return false;
    const isText = typeof v === 'string';
    // NOTE: a json path value knows its JSON type (jsonRanks) and is ranked exactly. A
    // json_each item is known by its text only: against text it compares as text, so
    // a select value "01234" matches "01234"; against a number it is ranked by its text.
    if (x.of === 'dyn') return x.exact === true || !isText;
    return x.of === 'text' ? !isText : isText || typeof v === 'boolean';
  }
  if (a.cls === 'X' && b.cls === 'X') return a.of !== b.of || a.of === 'dyn';
  return false;
}

function write(expr: RawBuilder<unknown>, side: Side, form: Form): RawBuilder<unknown> {
  switch (form) {
    case 'native':
      return expr;
    case 'constRow':
      return rankedConstant(side.cls === 'const' ? side.value : null);
    case 'asText': {
      if (side.cls !== 'const') return sql`CAST(${expr} AS TEXT)`;
      const v = side.value;
      return sql`CAST(${v === true ? '1' : v === false ? '0' : String(v)} AS TEXT)`;
    }
    case 'numberRow': {
      const n = side.cls === 'N' && side.bool ? sql`CAST(${expr} AS INT)` : expr;
      return sql`ROW(CASE WHEN ${n} IS NULL THEN NULL ELSE 1 END, CAST(${n} AS DOUBLE PRECISION), CASE WHEN ${n} IS NULL THEN NULL ELSE CAST('' AS TEXT) END)`;
    }
    case 'textRow': {
      const t = sql`CAST(${expr} AS TEXT)`;
      return sql`ROW(CASE WHEN ${t} IS NULL THEN NULL ELSE 2 END, CASE WHEN ${t} IS NULL THEN NULL ELSE CAST(0 AS DOUBLE PRECISION) END, ${t} COLLATE "C")`;
    }
    case 'dynRow': {
      const t = sql`CAST(${expr} AS TEXT)`;
      const rank = jsonRanks.get(expr);
      if (rank) {
        return sql`ROW(${rank}, CASE WHEN ${rank} = 1 THEN CAST(${t} AS DOUBLE PRECISION) WHEN ${rank} = 2 THEN 0 END, CASE WHEN ${rank} = 1 THEN CAST('' AS TEXT) ELSE ${t} COLLATE "C" END)`;
      }
      const isNum = isNumericSql(t);
      return sql`ROW(CASE WHEN ${t} IS NULL THEN NULL WHEN ${isNum} THEN 1 ELSE 2 END, CASE WHEN ${t} IS NULL THEN NULL WHEN ${isNum} THEN CAST(${t} AS DOUBLE PRECISION) ELSE 0 END, CASE WHEN ${isNum} THEN CAST('' AS TEXT) ELSE ${t} COLLATE "C" END)`;
    }
  }
}

/**
 * The value of a constant operand: a bound parameter, or one of the literals the
 * compiler writes (NULL, TRUE/FALSE, '1'/'0', a count); undefined otherwise.
 */
export function constantValue(expr: RawBuilder<unknown>): Bound {
  const bound = boundValue(expr);
  if (bound) return bound;
  const node = expr.toOperationNode() as unknown as { kind: string; sqlFragments?: readonly string[]; parameters?: readonly unknown[] };
  if (node.kind !== 'RawNode' || node.parameters?.length !== 0 || node.sqlFragments?.length !== 1) return undefined;
  const text = node.sqlFragments[0]!.trim().toUpperCase();
  if (text === 'NULL') return { value: null };
  if (text === 'TRUE') return { value: true };
  if (text === 'FALSE') return { value: false };
  if (text === "'1'") return { value: 1 };
  if (text === "'0'") return { value: 0 };
  if (/^-?\d+(\.\d+)?$/.test(text)) return { value: Number(text) };
  return undefined;
}

/** A constant as a (rank, number, text) row: NULL unknown, numbers before text, text byte-wise. */
export function rankedConstant(value: unknown): RawBuilder<unknown> {
  if (value === null || value === undefined) return sql`ROW(CAST(NULL AS INT), CAST(NULL AS DOUBLE PRECISION), CAST(NULL AS TEXT))`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return sql`ROW(1, CAST(${Number(value)} AS DOUBLE PRECISION), CAST('' AS TEXT))`;
  }
  return sql`ROW(2, CAST(0 AS DOUBLE PRECISION), CAST(${String(value)} AS TEXT) COLLATE "C")`;
}
