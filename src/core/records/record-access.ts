/**
 * RecordAccess answers "does this rule let this request at this record?" with
 * one SQL query, through the same compiler that filters lists (docs/architecture.md §3).
 */
import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import { compileOnce, type SqlText } from './cached-sql.js';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { forbidden } from '../../errors/app-error.js';
import { isFilterError } from '../../filter/filter-error.js';
import type { Collection, Rule } from '../collections/collection.js';
import type { CompiledRule, RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { assertJudgeableOverValues } from '../rules/rule-over-values.js';
import { findRecord, rootTable, rowToValues, valuesTable, type RecordValues } from './record-store.js';
import { inSpan, tracing } from '../../tools/tracing.js';

// The rule's verdict next to the row's columns; `@` cannot start a field name, so it never clashes.
const ALLOWED_COLUMN = '@allowed';

// A compiled rule is reused across requests (RuleCache), so is the query around it: built and
// compiled once per table, then run as text with the record id after the rule's own values.
const findWithRuleTexts = new WeakMap<CompiledRule, SqlText & { table: string }>();

function findWithRuleQuery(exec: Executor, c: Collection, compiled: CompiledRule, id: string): CompiledQuery<Record<string, unknown>> {
  const known = findWithRuleTexts.get(compiled);
  return compileOnce(exec, known?.table === c.name ? known : undefined, [id], ([value]) => {
    const allowed = sql`CASE WHEN (${compiled.condition}) THEN 1 ELSE 0 END AS ${sql.id(ALLOWED_COLUMN)}`;
    return sql<Record<string, unknown>>`SELECT root.*, ${allowed} FROM ${rootTable(c)} WHERE root.${sql.ref('id')} = ${value}`;
  }, (text) => findWithRuleTexts.set(compiled, { ...text, table: c.name }));
}

/** The condition of a rule that matches nothing. */
const DENY: CompiledRule = { condition: sql<boolean>`1 = 0`, readsRow: false };

/** RecordAccess evaluates API rules against stored or would-be records. */
export class RecordAccess {
  /**
   * Verdicts of fixed rules (CompiledRule.fixed), by compiled rule: the RuleCache hands the
   * same compiled object only to requests that bind the same values, so its verdict holds
   * until the cache drops it (a schema change). `@request.auth.id != ''` on a create thus
   * costs its query once per signed-in record, not once per write.
   */
  private readonly fixedVerdicts = new WeakMap<CompiledRule, boolean>();

  constructor(private readonly compiler: RuleCompiler, private readonly dialect: Dialect) {}

  /** Throws 403 when the rule is locked (null) and the request is not a superuser's (docs/api.md §3.9). */
  assertNotLocked(rule: Rule, req: Pick<RequestInfo, 'isSuperuser'>): void {
    if (rule === null && !req.isSuperuser) throw forbidden('Only superusers can perform this action.');
  }

  /** The SQL condition a rule adds for this request over alias `root`, or null when it adds none. */
  condition(c: Collection, rule: Rule, req: RequestInfo): RawBuilder<boolean> | null {
    return this.compiled(c, rule, req)?.condition ?? null;
  }

  /** The rule compiled for this request, or null when it adds no condition. */
  private compiled(c: Collection, rule: Rule, req: RequestInfo): CompiledRule | null {
    if (req.isSuperuser || rule === '' ) return null;
    // Fail closed: a null rule for a non-superuser matches nothing.
    if (rule === null) return DENY;
    try {
      return this.compiler.compileRule(rule, { collection: c, rootAlias: 'root', request: req, mode: 'rule' });
    } catch (err) {
      // SECURITY: fail closed (docs/architecture.md §3). A saved rule stops compiling when something it
      // names is removed later (e.g. a field of a joined collection); it then denies like
      // an unsatisfied rule, so view/update/delete stay 404 and never reveal existence.
      if (isFilterError(err)) return DENY;
      throw err;
    }
  }

  /** Whether the stored record `id` satisfies the rule for this request. */
  allows(exec: Executor, c: Collection, rule: Rule, id: string, req: RequestInfo): Promise<boolean> {
    const tracer = tracing.tracer;
    if (tracer) return inSpan(tracer, 'rule eval', ruleAttributes(c, rule), () => this.allowsStored(exec, c, rule, id, req));
    return this.allowsStored(exec, c, rule, id, req);
  }

  private async allowsStored(exec: Executor, c: Collection, rule: Rule, id: string, req: RequestInfo): Promise<boolean> {
    const cond = this.condition(c, rule, req);
    if (!cond) return true;
    const { rows } = await sql`SELECT 1 FROM ${rootTable(c)} WHERE root.${sql.ref('id')} = ${id} AND (${cond}) LIMIT 1`.execute(exec);
    return rows.length > 0;
  }

  /**
   * Loads the stored record `id` and whether the rule lets this request at it, in one
   * query; undefined when there is no such record.
   */
  findWithRule(exec: Executor, c: Collection, rule: Rule, id: string, req: RequestInfo): Promise<{ values: RecordValues; allowed: boolean } | undefined> {
    const tracer = tracing.tracer;
    if (tracer) return inSpan(tracer, 'rule eval', ruleAttributes(c, rule), () => this.findAndCheck(exec, c, rule, id, req));
    return this.findAndCheck(exec, c, rule, id, req);
  }

  private async findAndCheck(exec: Executor, c: Collection, rule: Rule, id: string, req: RequestInfo): Promise<{ values: RecordValues; allowed: boolean } | undefined> {
    const compiled = this.compiled(c, rule, req);
    if (!compiled) {
      const values = await findRecord(exec, c, id);
      return values && { values, allowed: true };
    }
    const { rows } = await exec.executeQuery<Record<string, unknown>>(findWithRuleQuery(exec, c, compiled, id));
    const row = rows[0];
    return row && { values: rowToValues(c, row), allowed: Number(row[ALLOWED_COLUMN]) === 1 };
  }

  /** Whether a record that is not stored yet (given by its values) satisfies the rule. */
  allowsValues(exec: Executor, c: Collection, rule: Rule, values: RecordValues, req: RequestInfo): Promise<boolean> {
    const tracer = tracing.tracer;
    if (tracer) return inSpan(tracer, 'rule eval', ruleAttributes(c, rule), () => this.allowsUnstored(exec, c, rule, values, req));
    return this.allowsUnstored(exec, c, rule, values, req);
  }

  private async allowsUnstored(exec: Executor, c: Collection, rule: Rule, values: RecordValues, req: RequestInfo): Promise<boolean> {
    const compiled = this.compiled(c, rule, req);
    if (!compiled) return true;
    // A saved rule from before search() was refused here (docs/search.md §2): a clear 400, not a database error.
    assertJudgeableOverValues(compiled, { collection: c.name, rule: ruleKeyOf(c, rule) });
    const known = compiled.fixed ? this.fixedVerdicts.get(compiled) : undefined;
    if (known !== undefined) return known;
    // A rule of request values only (`@request.auth.id != ''`) needs no would-be row to read.
    const from = compiled.readsRow ? sql`FROM ${valuesTable(c, values, this.dialect)}` : sql``;
    const { rows } = await sql`SELECT 1 ${from} WHERE ${compiled.condition} LIMIT 1`.execute(exec);
    const allowed = rows.length > 0;
    if (compiled.fixed) this.fixedVerdicts.set(compiled, allowed);
    return allowed;
  }

  /**
   * Whether `email` of each stored auth record is shown to this request although
   * emailVisibility is off (docs/api.md §3.6): superusers, the record itself, and managers of the
   * record, with one manageRule query per chunk of records instead of one per record
   * (expand reads thousands at once).
   */
  async showsEmails(exec: Executor, c: Collection, records: RecordValues[], req: RequestInfo): Promise<boolean[]> {
    if (req.isSuperuser) return records.map(() => true);
    if (c.type !== 'auth') return records.map(() => false);
    const self = (v: RecordValues) => req.auth?.collection.id === c.id && req.auth.record.id === v.id;
    const shown = records.map((v) => v.emailVisibility === true || self(v));
    const cond = c.manageRule && req.auth ? this.condition(c, c.manageRule, req) : null;
    const open = records.filter((_, i) => !shown[i]).map((v) => String(v.id));
    if (!cond || open.length === 0) return shown;
    const managed = new Set<string>();
    // NOTE: chunks stay well below the engines' bound-parameter limits (see findRecords).
    for (let i = 0; i < open.length; i += 500) {
      const chunk = open.slice(i, i + 500);
      const { rows } = await sql<{ id: string }>`SELECT root.${sql.ref('id')} AS id FROM ${rootTable(c)} WHERE root.${sql.ref('id')} IN (${sql.join(chunk)}) AND (${cond})`.execute(exec);
      for (const row of rows) managed.add(String(row.id));
    }
    return records.map((v, i) => shown[i]! || managed.has(String(v.id)));
  }

  /**
   * Whether the request may manage the auth record (docs/api.md §3.7): superusers,
   * and requests satisfying a non-empty manageRule.
   */
  async canManage(exec: Executor, c: Collection, values: RecordValues, stored: boolean, req: RequestInfo): Promise<boolean> {
    if (req.isSuperuser) return true;
    if (c.type !== 'auth' || !c.manageRule || !req.auth) return false;
    return stored
      ? this.allows(exec, c, c.manageRule, String(values.id), req)
      : this.allowsValues(exec, c, c.manageRule, values, req);
  }
}

/** The name of the collection rule whose text is `rule`, for messages; "rule" when none is. */
function ruleKeyOf(c: Collection, rule: Rule): string {
  return c.createRule === rule ? 'createRule' : c.type === 'auth' && c.manageRule === rule ? 'manageRule' : 'rule';
}

/** The attributes of a rule's span (docs/observability.md §3): the collection and the rule's text. */
function ruleAttributes(c: Collection, rule: Rule): Record<string, string> {
  return { 'plinth.collection': c.name, 'plinth.rule': rule ?? '(superusers only)' };
}
