/**
 * Field write rules (docs/field-rules.md): a body that sets a field whose writeRule denies
 * is a 400 on that field. The rules see `@request.body.*`, `@request.auth.*` and the
 * record: the would-be record on create, the stored one on update. All the fields a
 * body sets are judged in one query, with no row read when no rule reads the record.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import type { Collection } from '../collections/collection.js';
import { fieldRuleOf } from '../collections/field-rules.js';
import type { CompiledRule, RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { assertJudgeableOverValues } from '../rules/rule-over-values.js';
import { compileFieldRule, verdictColumns } from './field-read-rules.js';
import { rootTable, valuesTable, type RecordValues } from './record-store.js';

/** The record a write's field rules read: the would-be values (create) or the stored row's id (update). */
export type WriteTarget = { values: RecordValues } | { id: string };

// Verdict columns are numbered: `@` cannot start a field name, and numbers stay under
// PostgreSQL's 63-byte identifiers.
const verdictColumn = (i: number): string => `@write${i}`;

/** FieldWriteRules judges the fields a write body sets against their writeRules. */
export class FieldWriteRules {
  constructor(private readonly compiler: RuleCompiler, private readonly dialect: Dialect) {}

  /**
   * Throws a 400 with `message` and an error on each field of `touched` whose writeRule
   * does not let `req` set it. `req.body` is the body as rules see it.
   */
  async assertAllowed(exec: Executor, c: Collection, touched: ReadonlySet<string>, target: WriteTarget, req: RequestInfo, message: string): Promise<void> {
    if (req.isSuperuser || touched.size === 0) return;
    const errors: ErrorData = {};
    const judged: { name: string; compiled: CompiledRule }[] = [];
    for (const field of c.fields) {
      if (!touched.has(field.name)) continue;
      const rule = fieldRuleOf(field, 'writeRule');
      if (rule === undefined) continue;
      const compiled = typeof rule === 'string' ? compileFieldRule(this.compiler, c, rule, req) : null;
      // A create judges the rule over the would-be values (docs/search.md §2).
      if (compiled && 'values' in target) assertJudgeableOverValues(compiled, { collection: c.name, rule: 'writeRule', field: field.name });
      if (compiled) judged.push({ name: field.name, compiled });
      else errors[field.name] = codeError('validation_field_write_forbidden');
    }
    if (judged.length > 0) {
      const row = await this.verdicts(exec, c, judged, target);
      judged.forEach((j, i) => {
        if (Number(row?.[verdictColumn(i)]) !== 1) errors[j.name] = codeError('validation_field_write_forbidden');
      });
    }
    if (Object.keys(errors).length > 0) throw badRequest(message, errors);
  }

  /** Evaluates the rules in one query; reads the record only when one of them reads it. */
  private async verdicts(exec: Executor, c: Collection, judged: readonly { compiled: CompiledRule }[], target: WriteTarget): Promise<Record<string, unknown> | undefined> {
    const columns = verdictColumns(judged.map((j) => j.compiled.condition), verdictColumn);
    const readsRow = judged.some((j) => j.compiled.readsRow);
    let from: RawBuilder<unknown> = sql``;
    if (readsRow) {
      from = 'values' in target
        ? sql`FROM ${valuesTable(c, target.values, this.dialect)}`
        : sql`FROM ${rootTable(c)} WHERE root.${sql.ref('id')} = ${target.id}`;
    }
    const { rows } = await sql<Record<string, unknown>>`SELECT ${columns} ${from}`.execute(exec);
    return rows[0];
  }

}
