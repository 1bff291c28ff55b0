/**
 * Field read rules (docs/field-rules.md): which fields of which records a requester may
 * see. A rule that does not read the row is evaluated once per request; one that does
 * becomes a column of the query that reads the rows (a list), or is evaluated over the
 * records' values in one query per chunk (views, writes, expands, realtime events).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { isFilterError } from '../../filter/filter-error.js';
import type { Collection } from '../collections/collection.js';
import { fieldRuleOf, readGuardedFields } from '../collections/field-rules.js';
import type { CompiledRule, RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { valuesRowsTable, type RecordValues } from './record-store.js';

/** What one requester may not read of one collection's records. */
export interface FieldReadPlan {
  /** Fields no record shows to this requester. */
  denied: ReadonlySet<string>;
  /**
   * Fields whose rule depends on the record: each with its condition over alias `root`, and
   * whether it calls search() (CompiledRule.searches), which only a stored row can answer.
   */
  perRow: readonly { name: string; condition: RawBuilder<boolean>; searches?: boolean }[];
}

/** The fields left out of each record, in the order of the records. */
export type DeniedFields = readonly ReadonlySet<string>[];

// Column names of the verdicts; `@` cannot start a field name, so they never clash, and
// numbers keep them short (PostgreSQL cuts identifiers at 63 bytes, field names reach 100).
const verdictColumn = (i: number): string => `@read${i}`;
const ID_COLUMN = '@id';

// Rows per values query: SQLite caps a compound SELECT at 500 terms, and rows × fields stay
// well below the bound-parameter limits of both engines.
const MAX_ROWS = 200;
const MAX_PARAMS = 20_000;

/** The set of a record nothing of which is left out (shared, never changed). */
export const NOTHING_DENIED: ReadonlySet<string> = new Set();

/** FieldReadRules plans and evaluates the read rules of fields for one requester. */
export class FieldReadRules {
  constructor(private readonly compiler: RuleCompiler, private readonly dialect: Dialect) {}

  /**
   * The plan for `req` reading records of `c`, or null when every field it would see anyway
   * stays shown (superusers, or no field rules). Rules that do not read the row are
   * evaluated here, in one query for all of them.
   */
  async plan(exec: Executor, c: Collection, req: RequestInfo): Promise<FieldReadPlan | null> {
    if (req.isSuperuser) return null;
    const guarded = readGuardedFields(c.fields);
    if (guarded.length === 0) return null;
    const denied = new Set<string>();
    const perRow: FieldReadPlan['perRow'][number][] = [];
    const constant: FieldReadPlan['perRow'][number][] = [];
    for (const field of guarded) {
      const rule = fieldRuleOf(field, 'readRule');
      if (typeof rule !== 'string') {
        denied.add(field.name);
        continue;
      }
      const compiled = compileFieldRule(this.compiler, c, rule, req);
      if (!compiled) denied.add(field.name);
      else (compiled.readsRow ? perRow : constant).push({ name: field.name, condition: compiled.condition, searches: compiled.searches });
    }
    if (constant.length > 0) {
      const { rows } = await sql<Record<string, unknown>>`SELECT ${verdicts(constant)}`.execute(exec);
      constant.forEach((f, i) => {
        if (Number(rows[0]?.[verdictColumn(i)]) !== 1) denied.add(f.name);
      });
    }
    return denied.size === 0 && perRow.length === 0 ? null : { denied, perRow };
  }

  /** The select items that carry the row-dependent verdicts (`, CASE … AS "@read0"`), or nothing. */
  columns(plan: FieldReadPlan | null): RawBuilder<unknown> {
    return plan && plan.perRow.length > 0 ? sql`, ${verdicts(plan.perRow)}` : sql``;
  }

  /** The fields left out of a row read with `columns(plan)`. */
  deniedInRow(plan: FieldReadPlan, row: Record<string, unknown>): ReadonlySet<string> {
    let out: Set<string> | undefined;
    for (let i = 0; i < plan.perRow.length; i++) {
      if (Number(row[verdictColumn(i)]) === 1) continue;
      // A row whose verdicts all pass shares the plan's set: no allocation per row.
      out ??= new Set(plan.denied);
      out.add(plan.perRow[i]!.name);
    }
    return out ?? plan.denied;
  }

  /** The fields left out of each record for `req`, judged on the records' values. */
  async deniedFor(exec: Executor, c: Collection, records: readonly RecordValues[], req: RequestInfo): Promise<DeniedFields> {
    const plan = await this.plan(exec, c, req);
    if (!plan) return records.map(() => NOTHING_DENIED);
    return this.deniedByPlan(exec, c, plan, records);
  }

  /** Like deniedFor, with a plan already made for this collection and requester. */
  async deniedByPlan(exec: Executor, c: Collection, made: FieldReadPlan, records: readonly RecordValues[]): Promise<DeniedFields> {
    const plan = overValues(made);
    if (plan.perRow.length === 0) return records.map(() => plan.denied);
    const byId = new Map<string, ReadonlySet<string>>();
    const size = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / Math.max(1, c.fields.length))));
    for (let i = 0; i < records.length; i += size) {
      const chunk = records.slice(i, i + size);
      const from = valuesRowsTable(c, chunk, this.dialect);
      const { rows } = await sql<Record<string, unknown>>`SELECT root.${sql.ref('id')} AS ${sql.id(ID_COLUMN)}, ${verdicts(plan.perRow)} FROM ${from}`.execute(exec);
      for (const row of rows) byId.set(String(row[ID_COLUMN]), this.deniedInRow(plan, row));
    }
    // SECURITY: a record without a verdict (no id) shows none of the guarded fields.
    const all = new Set([...plan.denied, ...plan.perRow.map((f) => f.name)]);
    return records.map((v) => byId.get(String(v.id)) ?? all);
  }
}

/**
 * The plan judged over records' values, not stored rows: a rule that calls search() cannot be
 * (no full-text index holds values, docs/search.md §2; refused when saved since), so its
 * field is left out, as a rule that no longer compiles leaves it out (fail closed).
 */
function overValues(plan: FieldReadPlan): FieldReadPlan {
  if (!plan.perRow.some((f) => f.searches)) return plan;
  const denied = new Set(plan.denied);
  for (const f of plan.perRow) if (f.searches) denied.add(f.name);
  return { denied, perRow: plan.perRow.filter((f) => !f.searches) };
}

/** A field rule compiled for this request over alias `root`, or null when it cannot be (fail closed). */
export function compileFieldRule(compiler: RuleCompiler, c: Collection, rule: string, req: RequestInfo): CompiledRule | null {
  try {
    return compiler.compileRule(rule, { collection: c, rootAlias: 'root', request: req, mode: 'rule' });
  } catch (err) {
    // SECURITY: a saved rule that stops compiling (a field it names was removed) denies.
    if (isFilterError(err)) return null;
    throw err;
  }
}

/** Leaves the denied fields out of a record's JSON. */
export function omitDenied(json: Record<string, unknown>, denied: ReadonlySet<string> | undefined): void {
  if (!denied) return;
  for (const name of denied) delete json[name];
}

function verdicts(items: readonly { condition: RawBuilder<boolean> }[]): RawBuilder<unknown> {
  return verdictColumns(items.map((f) => f.condition), verdictColumn);
}

/** Select items `CASE WHEN (cond) THEN 1 ELSE 0 END AS "<name(i)>"`, one per condition. */
export function verdictColumns(conditions: readonly RawBuilder<boolean>[], name: (i: number) => string): RawBuilder<unknown> {
  return sql.join(conditions.map((cond, i) => sql`CASE WHEN (${cond}) THEN 1 ELSE 0 END AS ${sql.id(name(i))}`));
}
