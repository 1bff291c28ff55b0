/**
 * Decides, per subscriber and topic, whether a record event may be sent and
 * renders it for that subscriber (docs/api.md §6.4, §3.6, §3.9). Rules are evaluated
 * against the event's record values through a derived table, by the same
 * compiler and RecordAccess as the records API, so deleted records can be
 * checked and a subscriber never receives a record it could not read.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../../db/dialect/dialect.js';
import { isAppError } from '../../errors/app-error.js';
import { isFilterError } from '../../filter/filter-error.js';
import { SUPERUSERS } from '../auth/auth-service.js';
import type { Collection, Rule } from '../collections/collection.js';
import { isExpandTooLarge } from '../records/expand-budget.js';
import type { RecordService } from '../records/record-service.js';
import { valuesTable, type RecordValues } from '../records/record-store.js';
import type { RecordAction } from '../records/write-scope.js';
import { RULE_PARSE_LIMITS, type RuleCompiler } from '../rules/rule-compiler.js';
import { callsSearch } from '../rules/search-compiler.js';
import type { AuthInfo, RequestInfo } from '../rules/request-info.js';
import type { Topic } from './realtime-topic.js';

/** The response shaping the HTTP layer owns: `expand` parsing and the `fields` picker (docs/api.md §1.8, §3.8). */
export interface OutputShaping {
  parseExpand(raw: string): string[];
  pickFields(value: unknown, fields: string): unknown;
}

/** What a RealtimeDelivery needs. */
export interface RealtimeDeliveryDeps {
  records: RecordService;
  compiler: RuleCompiler;
  dialect: Dialect;
  output: OutputShaping;
}

/** One event being fanned out. */
export interface DeliveryEvent {
  action: RecordAction;
  collection: Collection;
  record: RecordValues;
}

/**
 * RealtimeDelivery renders an event for one viewer. Subscribers that see an event
 * alike (same auth, same kind of topic, same options) share one evaluation: the hub
 * groups them by groupKey() and calls render() once per group, so fanning out to
 * many guests costs one query, not many.
 */
export class RealtimeDelivery {
  constructor(private readonly deps: RealtimeDeliveryDeps) {}

  /** What decides how a subscriber sees an event of one collection: its auth, its topic's kind and options. */
  groupKey(topic: Topic, auth: AuthInfo | null): string {
    const viewer = auth ? `${auth.collection.id}/${String(auth.record.id)}` : '';
    return `${viewer}\u0000${topic.recordId === null ? 'list' : 'view'}\u0000${topic.optionsKey}`;
  }

  /** The SSE data for this viewer and topic, or null when it must not be sent. */
  async render(event: DeliveryEvent, topic: Topic, auth: AuthInfo | null): Promise<string | null> {
    try {
      return await this.evaluate(event, topic, auth);
    } catch (err) {
      // SECURITY: anything that cannot be evaluated is not sent (docs/architecture.md §3, fail closed).
      if (isAppError(err) || isFilterError(err)) return null;
      throw err;
    }
  }

  private async evaluate(event: DeliveryEvent, topic: Topic, auth: AuthInfo | null): Promise<string | null> {
    const { collection: c, record } = event;
    const req: RequestInfo = {
      auth,
      isSuperuser: auth?.collection.name === SUPERUSERS,
      method: 'GET',
      context: 'realtime',
      query: topic.options.query,
      headers: topic.options.headers,
      body: {},
    };
    const db = this.deps.records.db;
    const rule = topic.recordId === null ? c.listRule : c.viewRule;
    if (!req.isSuperuser && rule === null) return null;
    if (!(await this.passes(c, rule, record, req))) return null;
    const expand = this.deps.output.parseExpand(req.query.expand ?? '');
    let json: unknown;
    try {
      json = (await this.deps.records.present(db, c, [record], { expand }, req))[0];
    } catch (err) {
      if (!isExpandTooLarge(err)) throw err;
      // An expand over its budget is left out, as PocketBase leaves out an expand that fails:
      // the subscriber still learns of the change, and the budget bounds what was spent on it.
      json = (await this.deps.records.present(db, c, [record], { expand: [] }, req))[0];
    }
    const fields = req.query.fields ?? '';
    if (fields.trim() !== '') json = this.deps.output.pickFields(json, fields);
    return JSON.stringify({ action: event.action, record: json });
  }

  /**
   * Whether the record satisfies the topic's rule and `options.query.filter` (with a
   * client filter's restrictions, docs/api.md §3.1), in one query over its values.
   */
  private async passes(c: Collection, rule: Rule, record: RecordValues, req: RequestInfo): Promise<boolean> {
    const conditions: RawBuilder<boolean>[] = [];
    // An event's record is judged over its values, which no full-text index holds: a rule or
    // filter that searches cannot be evaluated, and is not sent (docs/search.md §2).
    if ((!req.isSuperuser && typeof rule === 'string' && callsSearch(rule, RULE_PARSE_LIMITS)) || callsSearch(req.query.filter ?? '')) return false;
    const ruleCondition = this.deps.records.access.condition(c, rule, req);
    if (ruleCondition) conditions.push(ruleCondition);
    const filter = req.query.filter ?? '';
    if (filter.trim() !== '') {
      if (!req.isSuperuser && (filter.includes('@collection.') || filter.includes('@request.'))) return false;
      conditions.push(this.deps.compiler.compileFilter(filter, { collection: c, rootAlias: 'root', request: req, mode: 'clientFilter' }));
    }
    if (conditions.length === 0) return true;
    const where = sql.join(conditions.map((x) => sql`(${x})`), sql` AND `);
    const { rows } = await sql`SELECT 1 FROM ${valuesTable(c, record, this.deps.dialect)} WHERE ${where} LIMIT 1`.execute(this.deps.records.db);
    return rows.length > 0;
  }
}
