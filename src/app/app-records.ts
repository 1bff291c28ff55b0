/**
 * The record reads of app code (docs/hooks.md §4): PocketBase's finders, expand
 * and `canAccessRecord`, made async. Trusted like a superuser — no API rule
 * applies unless one is asked for — and run on the executor they are given, so
 * an app bound to a transaction reads inside it.
 */
import type { Executor } from '../db/database.js';
import type { Collection, Rule } from '../core/collections/collection.js';
import { Expander, expandTree, type ExpandItem } from '../core/records/record-expand.js';
import { RecordModel } from '../core/records/record-model.js';
import { RecordQuery, type FilterParams } from '../core/records/record-query.js';
import { serializeRecord } from '../core/records/record-serialize.js';
import type { RecordValues } from '../core/records/record-store.js';
import { guestRequest, type RequestInfo } from '../core/rules/request-info.js';
import type { Services } from './services.js';

/** Options of a record lookup. */
export interface FindOptions {
  /** Lock the rows until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite serializes writers anyway). */
  forUpdate?: boolean;
}

/** The request info of trusted app code: a superuser with nothing in the request. */
const TRUSTED: RequestInfo = guestRequest({ isSuperuser: true });

/** AppRecords runs the record reads of one node for app code. */
export class AppRecords {
  private readonly query: RecordQuery;
  private readonly expander: Expander;

  constructor(private readonly services: Services) {
    this.query = new RecordQuery({ compiler: services.compiler, dialect: services.dialect });
    this.expander = new Expander(services.schema, services.records.access, services.dialect);
  }

  /** The records with these ids that exist, in the order given. */
  async findByIds(exec: Executor, c: Collection, ids: readonly string[], options: FindOptions = {}): Promise<RecordModel[]> {
    return models(c, await this.query.byIds(exec, c, ids, options.forUpdate));
  }

  /** The records matching a filter with `{:name}` placeholders bound from `params`. */
  async findByFilter(
    exec: Executor, c: Collection, filter: string, sort = '', limit = 0, offset = 0, params?: FilterParams, options: FindOptions = {},
  ): Promise<RecordModel[]> {
    return models(c, await this.query.byFilter(exec, c, { filter, sort, limit, offset, params, forUpdate: options.forUpdate }));
  }

  /** The first record matching a filter; a 404 NotFoundError when none does. */
  async findFirstByFilter(exec: Executor, c: Collection, filter: string, params?: FilterParams, options: FindOptions = {}): Promise<RecordModel> {
    return RecordModel.fromStored(c, await this.query.firstByFilter(exec, c, { filter, params, forUpdate: options.forUpdate }));
  }

  /** The first record whose `field` holds `value`; 400 for an unknown field, 404 for no match. */
  async findFirstByData(exec: Executor, c: Collection, field: string, value: unknown, options: FindOptions = {}): Promise<RecordModel> {
    return RecordModel.fromStored(c, await this.query.firstByData(exec, c, field, value, options.forUpdate));
  }

  /** How many records match a filter (all of them for none). */
  count(exec: Executor, c: Collection, filter = '', params?: FilterParams): Promise<number> {
    return this.query.count(exec, c, filter, params);
  }

  /** The auth record with this email (case-insensitive); 400 for a non-auth collection, 404 for none. */
  async findAuthByEmail(exec: Executor, c: Collection, email: string, options: FindOptions = {}): Promise<RecordModel> {
    return RecordModel.fromStored(c, await this.query.authByEmail(exec, c, email, options.forUpdate));
  }

  /**
   * Loads the relations named by `expand` (`author`, `comments_via_post.user`, as the API's
   * `expand`) onto `record`, as a superuser sees them: `record.expandedOne('author')`,
   * `record.expandedAll('tags')`, and `expand` in its JSON.
   */
  async expand(exec: Executor, record: RecordModel, expand: string | readonly string[]): Promise<RecordModel> {
    const paths = (typeof expand === 'string' ? expand.split(',') : expand).map((p) => p.trim()).filter((p) => p !== '');
    const c = record.collection();
    const item: ExpandItem = { values: record.valuesRef(), json: serializeRecord(c, record.valuesRef(), { showHidden: true, showEmail: true }) };
    await this.expander.expand(exec, c, [item], expandTree(paths), TRUSTED);
    attachExpand(this.services, record, item.json.expand);
    return record;
  }

  /**
   * Whether `rule` lets the request described by `info` at the stored `record`
   * (PocketBase's `canAccessRecord`): null allows superusers only, "" everyone, and a
   * filter is evaluated against the record for that request. A rule that does not
   * compile denies.
   */
  async canAccess(exec: Executor, record: RecordModel, info: RequestInfo, rule: Rule): Promise<boolean> {
    if (info.isSuperuser) return true;
    if (rule === null) return false;
    if (rule.trim() === '') return true;
    const c = record.collection();
    const access = this.services.records.access;
    if (record.isNew()) return access.allowsValues(exec, c, rule, record.valuesRef(), info);
    return access.allows(exec, c, rule, record.id, info);
  }
}

function models(c: Collection, list: RecordValues[]): RecordModel[] {
  return list.map((values) => RecordModel.fromStored(c, values));
}

/** Turns the expanded JSON of the Expander into RecordModels on `record`, nested levels too. */
function attachExpand(services: Services, record: RecordModel, expand: unknown): void {
  if (!expand || typeof expand !== 'object') return;
  const c = record.collection();
  const out: Record<string, RecordModel | RecordModel[]> = {};
  for (const [key, value] of Object.entries(expand as Record<string, unknown>)) {
    const target = expandTarget(services, c, key);
    if (!target) continue;
    const toModel = (json: Record<string, unknown>): RecordModel => {
      const { expand: nested, ...values } = json;
      const child = RecordModel.fromStored(target, values);
      attachExpand(services, child, nested);
      return child;
    };
    out[key] = Array.isArray(value) ? value.map((v) => toModel(v as Record<string, unknown>)) : toModel(value as Record<string, unknown>);
  }
  record.setExpand(out);
}

/** The collection an expand key leads to: a relation field's target or `x` of `x_via_field`. */
function expandTarget(services: Services, c: Collection, key: string): Collection | undefined {
  const field = c.fields.find((f) => f.name === key && f.type === 'relation');
  if (field) return services.schema.find(String(field.collectionId));
  const via = key.indexOf('_via_');
  return via > 0 ? services.schema.find(key.slice(0, via)) : undefined;
}
