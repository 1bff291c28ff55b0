/**
 * The functions of the filter language (docs/filter-language.md): `geoDistance` and
 * `strftime`, compiled to the dialect's SQL over operands the rule compiler resolves.
 */
import { sql, type RawBuilder } from 'kysely';
import type { FunctionOperand, Operand } from '../../filter/ast.js';
import { FilterError } from '../../filter/filter-error.js';
import type { CompileState, Resolved } from './compile-context.js';
import { valueOperand } from './value-operands.js';

/** Compiles one argument of a function. */
type Resolve = (op: Operand) => Resolved;

/** A function call of the filter language; `resolve` compiles its arguments. */
export function compileFunction(op: FunctionOperand, state: CompileState, resolve: Resolve): Resolved {
  if (op.name === 'geoDistance') return geoDistance(op, state, resolve);
  if (op.name === 'strftime') return strftime(op, state, resolve);
  throw new FilterError(`unknown function "${op.name}"`);
}

/** `geoDistance(lonA, latA, lonB, latB)`: any-match over multi-valued arguments, like PocketBase. */
function geoDistance(op: FunctionOperand, state: CompileState, resolve: Resolve): Resolved {
  if (op.args.length !== 4) throw new FilterError(`[geoDistance] expected 4 arguments, got ${op.args.length}`);
  const args = op.args.map((a, i) => {
    if (a.kind !== 'identifier' && a.kind !== 'number') throw new FilterError(`[geoDistance] argument ${i} must be an identifier or number`);
    return resolve(a);
  }) as [Resolved, Resolved, Resolved, Resolved];
  const d = state.dialect;
  return {
    build: (map) => d.geoDistance(args[0].build(map), args[1].build(map), args[2].build(map), args[3].build(map)),
    values: args.flatMap((a) => a.values),
    nullFallback: 'disabled',
    column: false,
    kind: 'numberExpr',
  };
}

/** `strftime(format[, time[, modifier…]])`: NULL counts as ""; "all" semantics follow a multi-valued time. */
function strftime(op: FunctionOperand, state: CompileState, resolve: Resolve): Resolved {
  const [first, ...rest] = op.args;
  if (!first || first.kind !== 'text') throw new FilterError('[strftime] the first argument must be a text format');
  if (op.args.length > 10) throw new FilterError('[strftime] too many arguments');
  const format = valueOperand(state, first.value);
  const args = rest.map((a) => resolve(a));
  const [time, ...mods] = args;
  const d = state.dialect;
  const build = (map?: (v: unknown) => unknown, timeSql?: RawBuilder<unknown>) =>
    d.strftime(format.build(map), timeSql ?? time?.build(map) ?? null, mods.map((m) => m.build(map)));
  const timeMulti = time?.multi;
  return {
    build: (map) => build(map),
    values: [first.value, ...args.flatMap((a) => a.values)],
    nullFallback: 'enforced',
    column: false,
    kind: 'textExpr',
    multi: timeMulti
      ? () => {
          const t = state.alias('st');
          return sql`SELECT ${build(undefined, sql`${sql.id(t, 'v')}`)} AS v FROM (${timeMulti()}) AS ${sql.id(t)}`;
        }
      : undefined,
  };
}
