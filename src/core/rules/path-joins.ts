/**
 * The steps a field path takes through other rows (docs/api.md §4.7) and the LEFT JOINs
 * each step writes. The same steps are written twice: once into the shared join
 * scope, once over fresh aliases for an "all"-semantics value subquery.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Collection, Field } from '../collections/collection.js';
import type { CompileState } from './compile-context.js';

/** One step of a path, from the current row to the next one. */
export type Hop =
  /** A relation field of the current row; multiple relations go through json_each. */
  | { kind: 'rel'; key: string; field: Field; target: Collection; multiple: boolean }
  /** Rows of another collection whose relation field points at the current row. */
  | { kind: 'back'; key: string; field: Field; target: Collection; multiple: boolean }
  /** Every row of a collection (`@collection.x`), independent of the current row. */
  | { kind: 'collection'; key: string; target: Collection }
  /** The signed-in record's row (`@request.auth.<non-plain>`). */
  | { kind: 'auth'; key: string; target: Collection; id: string }
  /** The rows a request body's relation field names (`@request.body.rel.x`). */
  | { kind: 'bodyRel'; key: string; target: Collection; ids: readonly string[] }
  /** The items of a multi-valued field of the current row (`:each`). */
  | { kind: 'each'; key: string; field: Field }
  /** The items of a submitted multi-valued value (`@request.body.f:each`). */
  | { kind: 'bodyEach'; key: string; json: string };

/** The alias a hop lands on and the LEFT JOIN clauses that get there. */
export interface HopJoin {
  alias: string;
  clauses: RawBuilder<unknown>[];
}

/** Writes the joins of one hop from `prev` (the current row's alias). */
export function joinHop(state: CompileState, hop: Hop, prev: string): HopJoin {
  const d = state.dialect;
  const col = (alias: string, name: string) => sql`${sql.id(alias, name)}`;
  switch (hop.kind) {
    case 'rel': {
      const alias = state.alias('j');
      if (!hop.multiple) {
        return { alias, clauses: [leftJoin(state, hop.target, alias, sql`${col(alias, 'id')} = ${col(prev, hop.field.name)}`, true)] };
      }
      const je = state.alias('je');
      return {
        alias,
        clauses: [
          sql`LEFT JOIN ${d.jsonEach(col(prev, hop.field.name))} AS ${sql.id(je)} ON ${budgetOnEveryRow(state, je, 'value')}`,
          leftJoin(state, hop.target, alias, sql`${col(alias, 'id')} = ${col(je, 'value')}`, true),
        ],
      };
    }
    case 'back': {
      const alias = state.alias('j');
      if (!hop.multiple) {
        return { alias, clauses: [leftJoin(state, hop.target, alias, sql`${col(alias, hop.field.name)} = ${col(prev, 'id')}`, true)] };
      }
      const je = state.alias('je');
      const on = sql`${col(prev, 'id')} IN (SELECT ${col(je, 'value')} FROM ${d.jsonEach(col(alias, hop.field.name))} AS ${sql.id(je)})`;
      return { alias, clauses: [leftJoin(state, hop.target, alias, sql`${budgetOnEveryRow(state, alias, 'id')} AND ${on}`, true)] };
    }
    case 'collection': {
      const alias = state.alias('c');
      return { alias, clauses: [leftJoin(state, hop.target, alias, budgetOnEveryRow(state, alias, 'id'), true)] };
    }
    case 'auth': {
      const alias = state.alias('a');
      return { alias, clauses: [leftJoin(state, hop.target, alias, sql`${col(alias, 'id')} = ${d.param(hop.id)}`, false)] };
    }
    case 'bodyRel': {
      const alias = state.alias('d');
      const ids = sql.join(hop.ids.map((id) => d.param(id)));
      return { alias, clauses: [leftJoin(state, hop.target, alias, sql`${budgetOnEveryRow(state, alias, 'id')} AND ${col(alias, 'id')} IN (${ids})`, false)] };
    }
    case 'each': {
      const alias = state.alias('je');
      return { alias, clauses: [sql`LEFT JOIN ${d.jsonEach(col(prev, hop.field.name))} AS ${sql.id(alias)} ON ${budgetOnEveryRow(state, alias, 'value')}`] };
    }
    case 'bodyEach': {
      const alias = state.alias('je');
      return { alias, clauses: [sql`LEFT JOIN ${d.jsonEach(d.param(hop.json))} AS ${sql.id(alias)} ON ${budgetOnEveryRow(state, alias, 'value')}`] };
    }
  }
}

/**
 * The query budget check on every row of a join level that can multiply rows (a
 * multi-valued hop), reading `column` of `alias`; `1=1` where the engine needs none.
 * SECURITY: chained multi-valued hops visit n^k rows (issue 10 item 5); single-valued
 * hops (a relation's id, a unique back-relation, the auth record) add at most one row
 * and need no check. Every level that multiplies must carry one.
 */
export function budgetOnEveryRow(state: CompileState, alias: string, column: string): RawBuilder<boolean> {
  return state.dialect.rowBudget(sql`${sql.id(alias, column)}`) ?? sql<boolean>`1=1`;
}

/**
 * A LEFT JOIN of a collection's table. For a restricted client filter the rows
 * the requester may not list are left out of the join (docs/api.md §4.7), so they behave as
 * absent; `visible` is false for joins that come from `@request.*`.
 */
function leftJoin(state: CompileState, target: Collection, alias: string, on: RawBuilder<unknown>, visible: boolean): RawBuilder<unknown> {
  const table = sql`${sql.table(target.name)} AS ${sql.id(alias)}`;
  const rule = visible && state.restricted ? state.listRuleOn(target, alias) : null;
  return rule ? sql`LEFT JOIN ${table} ON ${on} AND (${rule})` : sql`LEFT JOIN ${table} ON ${on}`;
}

/**
 * Writes a whole path over fresh aliases and selects `value(lastAlias)` from it:
 * the value list of one multi-valued operand for one root row.
 */
export function valueSubquery(
  state: CompileState, hops: readonly Hop[], value: (alias: string) => RawBuilder<unknown>,
): RawBuilder<unknown> {
  let prev = state.root;
  const clauses: RawBuilder<unknown>[] = [];
  for (const hop of hops) {
    const j = joinHop(state, hop, prev);
    clauses.push(...j.clauses);
    prev = j.alias;
  }
  const base = state.alias('mb');
  return sql`SELECT ${value(prev)} AS v FROM (SELECT 1) AS ${sql.id(base)} ${sql.join(clauses, sql` `)}`;
}
