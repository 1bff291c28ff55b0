/**
 * The rule explainer (docs/rules-explain.md): says whether an API rule lets a given
 * requester list, view, create, update or delete a record — or, on an auth collection,
 * sign in as it (authRule) or manage it (manageRule) — and which part of the rule decided. It compiles with the same compiler and evaluates with the same conditions as
 * the records API, so its verdict is the API's.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest, notFound } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import type { FilterNode } from '../../filter/ast.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import { isFilterError } from '../../filter/filter-error.js';
import { formatFilter } from '../../filter/filter-format.js';
import { isAuthCollection, type Collection, type Rule } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { SUPERUSERS } from '../auth/auth-service.js';
import type { RequestInfo } from '../rules/request-info.js';
import { RULE_PARSE_LIMITS, type RuleCompiler } from '../rules/rule-compiler.js';
import { searchOverValuesError } from '../rules/rule-over-values.js';
import { nodeCallsSearch } from '../rules/search-compiler.js';
import type { RecordAccess } from './record-access.js';
import { resolveBody } from './record-body.js';
import { defaultValues, fillGenerated } from './record-defaults.js';
import { findRecord, rootTable, valuesTable, type RecordValues } from './record-store.js';

/** The five actions an API rule governs, then the two of an auth collection's authRule and manageRule. */
export const EXPLAIN_ACTIONS = ['list', 'view', 'create', 'update', 'delete', 'auth', 'manage'] as const;

/** One of the seven actions. */
export type ExplainAction = (typeof EXPLAIN_ACTIONS)[number];

/** The actions only auth collections have. */
export const AUTH_ONLY_ACTIONS: readonly ExplainAction[] = ['auth', 'manage'];

/** The sign-in methods whose `@request.context` an `auth` explanation can take. */
export const SIGN_IN_METHODS = ['password', 'otp', 'oauth2'] as const;

/** One of the sign-in methods. */
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/**
 * The most sub-expressions one explanation evaluates (the rule itself included). Each is
 * one column of one query; past the cap the trace stops and says so.
 */
export const MAX_TRACE_EXPRESSIONS = 50;

/** Who asks, and what they send, as the explainer is told. */
export interface ExplainInput {
  action: ExplainAction;
  /**
   * The requester: an auth record by collection (id or name) and id, or null for a guest.
   * For `auth`, whoever sends the sign-in request (a superuser bypasses the authRule; anyone
   * else is replaced by the record signing in, as the API does).
   */
  auth: { collection: string; id: string } | null;
  /** The record to judge; required for view, update, delete, auth and manage, optional for list, unused for create. */
  recordId?: string;
  /** The request body: resolved as the API resolves it for create, update and manage; as sent for auth. */
  body: Record<string, unknown>;
  /** For `auth`: the sign-in method, which is `@request.context` (default `password`). */
  signIn?: SignInMethod;
  /** `@request.query.*` values. */
  query: Record<string, string>;
  /** `@request.headers.*` values, names as sent (they are snake-cased like a request's). */
  headers: Record<string, string>;
}

/** One evaluated sub-expression: its source text and whether it holds (null: it does not compile). */
export interface TraceStep {
  expr: string;
  result: boolean | null;
  error?: string;
}

/** The explainer's answer. */
export interface RuleExplanation {
  /** Whether the API would let the requester do the action (for a list without a record: whether any record is visible). */
  allowed: boolean;
  /** The rule that governs the action, as stored. */
  rule: Rule;
  /** One sentence on what decided. */
  reason: string;
  /** The rule first, then each of its sub-expressions in source order (depth first). */
  trace: TraceStep[];
  /** Whether the trace stopped at MAX_TRACE_EXPRESSIONS. */
  truncated: boolean;
}

/** What the explainer needs: the same parts the records API runs on. */
export interface RuleExplainerDeps {
  db: Db;
  dialect: Dialect;
  schema: Schema;
  compiler: RuleCompiler;
  access: RecordAccess;
}

const METHODS: Record<ExplainAction, string> = { list: 'GET', view: 'GET', create: 'POST', update: 'PATCH', delete: 'DELETE', auth: 'POST', manage: 'PATCH' };

/** A RuleExplainer evaluates a collection's rules for a chosen requester and record. */
export class RuleExplainer {
  constructor(private readonly deps: RuleExplainerDeps) {}

  /** Explains one action on `c`; 400/404 AppErrors for an unknown requester or record. */
  async explain(c: Collection, input: ExplainInput): Promise<RuleExplanation> {
    if (AUTH_ONLY_ACTIONS.includes(input.action) && !isAuthCollection(c)) {
      throw badRequest('Only auth collections have this rule.', { action: codeError('validation_invalid_value', undefined, 'Only auth collections have an authRule and a manageRule.') });
    }
    const rule = ruleOf(c, input.action);
    const req = await this.requester(input);
    const target = await this.target(c, input, req);
    const answer = (allowed: boolean, reason: string, trace: TraceStep[] = []): RuleExplanation => ({ allowed, rule, reason, trace, truncated: false });
    if (input.action !== 'list' && input.action !== 'view' && c.type === 'view') {
      return answer(false, 'A view collection is read-only: the API refuses every write with 400.');
    }
    // For `auth` the requester is the record signing in, unless a superuser sends the request (as AuthService).
    if (req.isSuperuser || target.req.isSuperuser) return answer(true, 'Superusers bypass API rules.');
    if (rule === null) {
      return answer(false, 'The rule is null (locked): only superusers may do this; the API answers 403.', [{ expr: 'null', result: false }]);
    }
    // As RecordAccess.canManage: a guest manages nothing, whatever the rule says.
    if (input.action === 'manage' && !req.auth) return answer(false, 'A guest never manages a record; the manageRule needs a signed-in requester.');
    if (rule === '') return answer(true, 'The rule is empty: everyone may do this.');
    let node: FilterNode;
    try {
      node = parseFilterCached(rule, RULE_PARSE_LIMITS);
    } catch (err) {
      if (!isFilterError(err)) throw err;
      return answer(false, 'The rule does not parse, so it denies (fail closed).', [{ expr: rule, result: null, error: err.reason }]);
    }
    return this.evaluate(c, input.action, rule, node, target);
  }

  /** The RequestInfo of the chosen requester, as the HTTP layer would build it for a real request. */
  private async requester(input: ExplainInput): Promise<RequestInfo> {
    const base: RequestInfo = {
      auth: null, isSuperuser: false, method: METHODS[input.action], context: input.action === 'auth' ? input.signIn ?? 'password' : 'default',
      query: input.query, headers: snakeHeaders(input.headers), body: {},
    };
    if (!input.auth) return base;
    const c = this.deps.schema.find(input.auth.collection);
    if (!c || !isAuthCollection(c)) throw badRequest('Unknown auth collection.', { auth: { collection: codeError('validation_invalid_value', undefined, 'Not an auth collection.') } });
    const record = await findRecord(this.deps.db, c, input.auth.id);
    if (!record) throw badRequest('Unknown auth record.', { auth: { id: codeError('validation_invalid_value', undefined, 'No such record in the auth collection.') } });
    return { ...base, auth: { collection: c, record }, isSuperuser: c.name === SUPERUSERS };
  }

  /** The record the rule is judged on (stored, would-be, or none) and the request as the rule sees it. */
  private async target(c: Collection, input: ExplainInput, req: RequestInfo): Promise<Target> {
    const { action, recordId } = input;
    if (action === 'create') {
      // As RecordService.create: defaults, the body resolved over them, generated ids, `verified` forced false.
      const resolved = resolveBody(c, input.body, defaultValues(c), !req.isSuperuser);
      fillGenerated(c, resolved.values);
      if (c.type === 'auth') resolved.values.verified = false;
      return { req: { ...req, body: resolved.ruleBody }, values: resolved.values };
    }
    if (recordId === undefined) {
      if (action === 'list') return { req };
      throw badRequest('A record id is required for this action.', { recordId: codeError('validation_required') });
    }
    const stored = await findRecord(this.deps.db, c, recordId);
    if (!stored) throw notFound();
    if (action === 'auth') {
      // As AuthService's authRule check: the rule sees the record signing in as `@request.auth` and the sign-in body as sent.
      const asRecord = { ...req, body: input.body, auth: { collection: c, record: stored }, isSuperuser: c.name === SUPERUSERS };
      return { req: asRecord, id: recordId };
    }
    // As RecordService.update (and its manageRule check): the rule reads the stored row, `@request.body` the resolved body.
    const body = action === 'update' || action === 'manage' ? resolveBody(c, input.body, stored, !req.isSuperuser).ruleBody : {};
    return { req: { ...req, body }, id: recordId };
  }

  /** Evaluates the rule (as the API does) and its sub-expressions in one query. */
  private async evaluate(c: Collection, action: ExplainAction, rule: string, node: FilterNode, target: Target): Promise<RuleExplanation> {
    const req = target.req;
    // As a create answers a saved createRule that calls search() (docs/search.md §2), for every requester:
    // the trace judges it over the would-be values, which no full-text index holds.
    if (target.values && nodeCallsSearch(node)) throw searchOverValuesError({ collection: c.name, rule: 'createRule' });
    const parts = subExpressions(node, MAX_TRACE_EXPRESSIONS);
    // SECURITY: the verdict comes from the very condition the API uses (cached, fail closed), not from the trace.
    const whole = this.deps.access.condition(c, rule, req) ?? sql<boolean>`1 = 1`;
    const steps: TraceStep[] = [{ expr: formatFilter(node), result: null }];
    const conditions: RawBuilder<boolean>[] = [whole];
    for (const part of parts.nodes.slice(1)) {
      const step: TraceStep = { expr: formatFilter(part), result: null };
      steps.push(step);
      try {
        conditions.push(this.deps.compiler.compileNode(part, { collection: c, rootAlias: 'root', request: req, mode: 'rule' }));
      } catch (err) {
        if (!isFilterError(err)) throw err;
        step.error = err.reason;
      }
    }
    const results = await this.run(c, conditions, target);
    let next = 1;
    for (const [i, step] of steps.entries()) {
      if (i === 0) step.result = results[0]!;
      else if (step.error === undefined) step.result = results[next++]!;
    }
    const allowed = results[0]!;
    return { allowed, rule, reason: reasonFor(action, target, allowed), trace: steps, truncated: parts.truncated };
  }

  /** Runs each condition as one boolean column of one query over the target record. */
  private async run(c: Collection, conditions: RawBuilder<boolean>[], target: Target): Promise<boolean[]> {
    const d = this.deps.dialect;
    const column = (cond: RawBuilder<boolean>, i: number) => {
      if (target.id !== undefined || target.values) return sql`CASE WHEN (${cond}) THEN 1 ELSE 0 END AS ${sql.id(`e${i}`)}`;
      // A list without a record: whether any record satisfies it, with the list's scan budget.
      const budget = d.scanBudget('root');
      const where = budget ? sql`(${budget}) AND (${cond})` : cond;
      return sql`CASE WHEN EXISTS (SELECT 1 FROM ${rootTable(c)} WHERE ${where}) THEN 1 ELSE 0 END AS ${sql.id(`e${i}`)}`;
    };
    const columns = sql.join(conditions.map(column));
    const query = target.id !== undefined
      ? sql<Record<string, unknown>>`SELECT ${columns} FROM ${rootTable(c)} WHERE root.${sql.ref('id')} = ${target.id}`
      : target.values
        ? sql<Record<string, unknown>>`SELECT ${columns} FROM ${valuesTable(c, target.values, d)}`
        : sql<Record<string, unknown>>`SELECT ${columns}`;
    const { rows } = await query.execute(this.deps.db);
    const row = rows[0];
    // The record was read a moment ago; gone now, it satisfies nothing.
    return conditions.map((_, i) => row !== undefined && Number(row[`e${i}`]) === 1);
  }
}

/** The record a rule is judged on: a stored id, would-be values, or neither (a list as a whole). */
interface Target {
  req: RequestInfo;
  id?: string;
  values?: RecordValues;
}

/** The rule that governs `action` on `c`. */
export function ruleOf(c: Collection, action: ExplainAction): Rule {
  switch (action) {
    case 'list': return c.listRule;
    case 'view': return c.viewRule;
    case 'create': return c.createRule;
    case 'update': return c.updateRule;
    case 'delete': return c.deleteRule;
    case 'auth': return c.authRule ?? null;
    case 'manage': return c.manageRule ?? null;
  }
}

/** The nodes of a filter depth first (the root first), at most `max` of them. */
export function subExpressions(root: FilterNode, max: number): { nodes: FilterNode[]; truncated: boolean } {
  const nodes: FilterNode[] = [];
  const stack: FilterNode[] = [root];
  while (stack.length > 0) {
    if (nodes.length >= max) return { nodes, truncated: true };
    const node = stack.pop()!;
    nodes.push(node);
    if (node.kind === 'logical') for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]!);
  }
  return { nodes, truncated: false };
}

function reasonFor(action: ExplainAction, target: Target, allowed: boolean): string {
  if (target.id === undefined && !target.values) {
    return allowed ? 'The rule lets this requester see at least one record.' : 'The rule lets this requester see no record (the list is empty).';
  }
  if (action === 'auth') {
    return allowed ? 'The authRule lets this record sign in.' : 'The authRule does not let this record sign in; the API answers 403.';
  }
  if (action === 'manage') {
    return allowed ? 'The manageRule lets this requester manage this record.' : 'The manageRule does not let this requester manage this record.';
  }
  return allowed ? 'The rule holds for this requester and record.' : 'The rule does not hold for this requester and record.';
}

/** Header names as a request's reach rules: lower-cased, `-` as `_` (docs/api.md §4.2). */
function snakeHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase().replace(/-/g, '_')] = v;
  return out;
}
