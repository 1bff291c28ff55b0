/**
 * Writes one comparison of two resolved operands (docs/api.md §4.5, §4.6): the NULL/""
 * equivalences of `=`/`!=`, LIKE wrapping, and the "all" semantics of plain
 * operators over multi-valued operands.
 */
import { sql, type RawBuilder } from 'kysely';
import type { CompareOp } from '../../filter/ast.js';
import type { CompileState, Resolved } from './compile-context.js';
import { likePattern } from './like-pattern.js';
import { budgetOnEveryRow } from './path-joins.js';

/** Compares two operands; `any` is true for the `?`-prefixed operators. */
export function compareResolved(state: CompileState, left: Resolved, op: CompareOp, any: boolean, right: Resolved): RawBuilder<boolean> {
  let expr = plainCompare(state, left, op, right);
  if (!any) expr = withAllSemantics(state, expr, left, op, right);
  if (left.afterBuild) expr = left.afterBuild(expr);
  if (right.afterBuild) expr = right.afterBuild(expr);
  return expr;
}

function plainCompare(state: CompileState, l: Resolved, op: CompareOp, r: Resolved): RawBuilder<boolean> {
  const d = state.dialect;
  switch (op) {
    case '=':
      return equal(state, true, l, r);
    case '!=':
      return equal(state, false, l, r);
    case '~':
    case '!~':
      // A column on the right is wrapped in SQL; a bound value is turned into a pattern.
      return r.values.length === 0
        ? d.likeInsensitive(d.asText(l.build(), l.kind), sql`('%' || ${d.asText(r.build(), r.kind)} || '%')`, op === '!~')
        : d.likeInsensitive(d.asText(l.build(), l.kind), r.build(likePattern), op === '!~');
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [a, b] = d.comparable(l.build(), r.build(), l.kind, r.kind);
      return sql<boolean>`${a} ${sql.raw(op)} ${b}`;
    }
  }
}

/**
 * `=` / `!=` as PocketBase writes them: IS for json values, direct comparison
 * when one side is a known non-empty value, `(a = '' OR a IS NULL)` against an
 * empty side, COALESCE between two columns. `!=` is always IS NOT so NULL rows match.
 */
export function equal(state: CompileState, eq: boolean, l: Resolved, r: Resolved): RawBuilder<boolean> {
  const d = state.dialect;
  const ne = (a: RawBuilder<unknown>, b: RawBuilder<unknown>) => d.isDistinct(a, b, true);
  if (l.nullFallback === 'disabled' || r.nullFallback === 'disabled') return d.isDistinct(...d.comparable(l.build(), r.build(), l.kind, r.kind), !eq);
  const lEmpty = isEmpty(l);
  const rEmpty = isEmpty(r);
  const empty = sql`''`;
  if (lEmpty && rEmpty) return eq ? sql<boolean>`'' = ''` : ne(empty, empty);
  // NOTE: d.asText keeps '' comparable with a number or bool column (PostgreSQL
  // would reject the '' literal there); on SQLite it is the expression itself.
  if (isKnownNonEmpty(l) || isKnownNonEmpty(r)) {
    const a = lEmpty ? empty : rEmpty ? d.asText(l.build(), l.kind) : l.build();
    const b = rEmpty ? empty : lEmpty ? d.asText(r.build(), r.kind) : r.build();
    const [x, y] = lEmpty || rEmpty ? [a, b] : d.comparable(a, b, l.kind, r.kind);
    return eq ? sql<boolean>`${x} = ${y}` : ne(x, y);
  }
  if (lEmpty || rEmpty) {
    const x = (lEmpty ? r : l).build();
    const t = d.asText(x, (lEmpty ? r : l).kind);
    return eq ? sql<boolean>`(${t} = '' OR ${x} IS NULL)` : sql<boolean>`(${ne(t, empty)} AND ${x} IS NOT NULL)`;
  }
  const [a, b] = d.coalesceEmpty(l.build(), r.build(), l.kind, r.kind);
  return eq ? sql<boolean>`${a} = ${b}` : ne(a, b);
}

function isEmptyLiteral(o: Resolved): boolean {
  return o.literal !== undefined && (o.literal === '' || o.literal.toLowerCase() === 'null');
}

function hasEmptyValue(o: Resolved): boolean {
  return o.values.some((v) => v === null || v === undefined || v === '');
}

function isEmpty(o: Resolved): boolean {
  return isEmptyLiteral(o) || (o.nullFallback === 'auto' && o.values.length === 1 && hasEmptyValue(o));
}

function isKnownNonEmpty(o: Resolved): boolean {
  if (o.nullFallback === 'enforced') return false;
  const lit = o.literal?.toLowerCase();
  if (lit === '1' || lit === '0' || lit === 'true' || lit === 'false') return true;
  return o.values.length > 0 && !hasEmptyValue(o) && !isEmptyLiteral(o);
}

const negate = (cond: RawBuilder<boolean>) => sql<boolean>`NOT (${cond})`;

function valueOf(alias: string, of: Resolved, afterBuild?: Resolved['afterBuild']): Resolved {
  return { build: () => sql`${sql.id(alias, 'v')}`, values: [], nullFallback: of.nullFallback, column: true, afterBuild, kind: of.kind };
}

function plainCopy(o: Resolved): Resolved {
  return { build: o.build, literal: o.literal, values: o.values, nullFallback: 'auto', column: o.column, kind: o.kind };
}

/**
 * Adds "and no value fails" to a comparison with a multi-valued side (docs/api.md §4.6):
 * `(cond AND NOT EXISTS (SELECT 1 FROM (<values>) WHERE NOT cond'))`.
 */
function withAllSemantics(state: CompileState, expr: RawBuilder<boolean>, l: Resolved, op: CompareOp, r: Resolved): RawBuilder<boolean> {
  if (l.multi && r.multi) {
    const la = state.alias('ml');
    const ra = state.alias('mr');
    const where = compareResolved(state, valueOf(la, l), op, true, valueOf(ra, r, negate));
    // SECURITY: every pair of values is a row visit, |l|·|r| of them: the budget is checked on each.
    return sql<boolean>`(${expr} AND NOT EXISTS (SELECT 1 FROM (${l.multi()}) AS ${sql.id(la)} LEFT JOIN (${r.multi()}) AS ${sql.id(ra)} ON ${budgetOnEveryRow(state, ra, 'v')} WHERE ${where}))`;
  }
  const many = l.multi ? l : r.multi ? r : null;
  if (!many?.multi) return expr;
  const alias = state.alias('sm');
  const mine = valueOf(alias, many, negate);
  const other = plainCopy(many === l ? r : l);
  const where = many === l ? compareResolved(state, mine, op, true, other) : compareResolved(state, other, op, true, mine);
  return sql<boolean>`(${expr} AND NOT EXISTS (SELECT 1 FROM (${many.multi()}) AS ${sql.id(alias)} WHERE ${where}))`;
}
