/**
 * The RecordService runs the records API of docs/api.md §3: rules, body resolution,
 * validation, the write in a transaction, and the JSON each viewer may see.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { AppError, badRequest, isAppError, notFound, type ErrorData } from '../../errors/app-error.js';
import type { Collection, Rule } from '../collections/collection.js';
import { DEFAULT_ID_PATTERN } from '../collections/collection-defaults.js';
import type { Schema } from '../collections/schema.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { RecordAccess } from './record-access.js';
import { FieldReadRules, NOTHING_DENIED, omitDenied, type DeniedFields } from './field-read-rules.js';
import { FieldWriteRules } from './field-write-rules.js';
import { resolveBody } from './record-body.js';
import { hasPasswordToHash, keepPasswordIfEmpty, mismatch, prehashPasswords, validateAuthCreate, validateAuthUpdate } from './record-auth-form.js';
import { fillGenerated } from './record-defaults.js';
import { runInScope, WriteScope, type RecordEventSink } from './write-scope.js';
import type { RecordFiles } from './record-files.js';
import { Expander, expandTree, type ExpandItem } from './record-expand.js';
import { RecordHooks, collectionTags } from './record-hooks.js';
import { listRecords, type ListQuery } from './record-list.js';
import { listRecordsByCursor } from './record-cursor-list.js';
import { CursorCodec } from './record-cursor.js';
import { loadCursorKey } from './cursor-key.js';
import { aggregateRecords, type AggregatePage, type AggregateQuery } from './record-aggregate.js';
import { RecordModel } from './record-model.js';
import { serializeRecord } from './record-serialize.js';
import { findRecord, rowToValues, type RecordValues } from './record-store.js';
import { RecordWriter } from './record-write.js';
import type { RecordOutbox } from './record-outbox.js';
import type { QueryDeadlines } from './query-deadline.js';

/** What the RecordService needs. */
export interface RecordServiceDeps {
  db: Db;
  dialect: Dialect;
  schema: Schema;
  compiler: RuleCompiler;
  /** Receives the record events of each committed write (realtime, hooks). */
  events?: RecordEventSink;
  /** Reports a failure of after-commit or after-rollback work (it cannot fail the request any more). */
  onHookError?: (err: unknown) => void;
  /** Stores uploads and removes dropped files (docs/api.md §8.1, §3.5); the composition root always gives it. */
  files?: RecordFiles;
  /** The record model hooks every write runs (none bound: the fast path). */
  hooks?: RecordHooks;
  /** Captures changes for webhooks in each write's transaction (docs/webhooks.md §4). */
  outbox?: RecordOutbox;
  /**
   * One query budget per list or aggregate, shared by its statements (docs/security.md
   * "Queries"); without it each statement has its own.
   */
  deadlines?: QueryDeadlines;
}

/**
 * The API's own step around a write or a view (its request hook): it calls `proceed` to
 * let the action happen, or returns without calling it to stop it. `scope` is the
 * write's transaction (undefined for a view).
 */
export type WriteIntercept = (record: RecordModel, proceed: () => Promise<void>, scope: WriteScope | undefined) => Promise<void>;

/** The three record writes, each governed by its own rule. */
export type WriteAction = 'create' | 'update' | 'delete';

/** Output options of a read or write: which relations to expand. */
export interface OutputOptions {
  expand: string[];
}

/** A list response (docs/api.md §1.7) with serialized items. */
export interface RecordListJson {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Record<string, unknown>[];
  /** With a cursor (docs/api.md §3.10): the next page's cursor, null after the last. */
  nextCursor?: string | null;
}

/** RecordService is the records API without HTTP. */
export class RecordService {
  readonly access: RecordAccess;
  /** The fields' readRules: which fields of which records a requester sees (docs/field-rules.md). */
  readonly fieldReads: FieldReadRules;
  /** The fields' writeRules: which fields a requester may set (docs/field-rules.md). */
  private readonly fieldWrites: FieldWriteRules;
  /** The database, for callers that present records outside a write. */
  readonly db: Db;
  /** The hooks around every record write. */
  readonly hooks: RecordHooks;
  /** The write pipeline every record write goes through. */
  readonly writer: RecordWriter;
  private readonly expander: Expander;
  private readonly cursors: CursorCodec;
  /**
   * Whether app code may run inside this node's transactions (a hook is bound, or app code
   * opened one): each transaction is then the active one of its async path, so the outer
   * app joins it (docs/hooks.md §4). Off, a transaction costs nothing more.
   */
  trackScopes = false;

  private readonly onHookError: (err: unknown) => void;

  constructor(private readonly deps: RecordServiceDeps) {
    this.db = deps.db;
    this.onHookError = deps.onHookError ?? (() => undefined);
    this.access = new RecordAccess(deps.compiler, deps.dialect);
    this.cursors = new CursorCodec(() => loadCursorKey(deps.db));
    this.fieldReads = new FieldReadRules(deps.compiler, deps.dialect);
    this.fieldWrites = new FieldWriteRules(deps.compiler, deps.dialect);
    this.expander = new Expander(deps.schema, this.access, deps.dialect, this.fieldReads);
    this.hooks = deps.hooks ?? new RecordHooks();
    this.writer = new RecordWriter({ schema: deps.schema, dialect: deps.dialect, hooks: this.hooks, files: deps.files, outbox: deps.outbox });
  }

  /** The collection named in a records path, or 404 `Missing collection context.`. */
  collection(idOrName: string): Collection {
    const c = this.deps.schema.find(idOrName);
    if (!c) throw notFound('Missing collection context.');
    return c;
  }

  /** Aggregates the records the request may list (docs/api.md §3.11). */
  async aggregate(c: Collection, q: AggregateQuery, req: RequestInfo): Promise<AggregatePage> {
    const deps = { access: this.access, compiler: this.deps.compiler, dialect: this.deps.dialect, schema: this.deps.schema };
    return aggregateRecords(this.operation(), deps, c, q, req);
  }

  /** Lists records (docs/api.md §3.1). */
  async list(c: Collection, q: ListQuery, out: OutputOptions, req: RequestInfo): Promise<RecordListJson> {
    this.access.assertNotLocked(c.listRule, req);
    // Every statement of the list, expands included, shares one query budget.
    const exec = this.operation();
    const fieldReads = { rules: this.fieldReads, plan: await this.fieldReads.plan(exec, c, req) };
    const listDeps = { access: this.access, compiler: this.deps.compiler, dialect: this.deps.dialect, fieldReads };
    const page = q.cursor === undefined
      ? await listRecords(exec, listDeps, c, q, req)
      : await listRecordsByCursor(exec, { ...listDeps, cursors: this.cursors }, c, { ...q, cursor: q.cursor }, req);
    const { denied, ...rest } = page;
    const items = await this.present(exec, c, page.items, out, req, denied ?? page.items.map(() => NOTHING_DENIED));
    return { ...rest, items };
  }

  /** Views one record (docs/api.md §3.2). `intercept` runs after the rule check; when it does not proceed, the result is undefined. */
  async view(c: Collection, id: string, out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>>;
  async view(c: Collection, id: string, out: OutputOptions, req: RequestInfo, intercept: WriteIntercept | undefined): Promise<Record<string, unknown> | undefined>;
  async view(c: Collection, id: string, out: OutputOptions, req: RequestInfo, intercept?: WriteIntercept): Promise<Record<string, unknown> | undefined> {
    this.access.assertNotLocked(c.viewRule, req);
    const found = await this.access.findWithRule(this.deps.db, c, c.viewRule, id, req);
    if (!found?.allowed) throw notFound();
    if (!intercept) return (await this.present(this.deps.db, c, [found.values], out, req))[0]!;
    const record = RecordModel.fromStored(c, found.values);
    if (!(await intercepted(intercept, record, () => Promise.resolve(), undefined))) return undefined;
    return (await this.present(this.deps.db, c, [record.valuesRef()], out, req))[0]!;
  }

  /**
   * Refuses what of a write can be refused without its body or the database: a view
   * collection (400) and a superuser-only rule for anyone else (403). The HTTP layer calls
   * it before reading the body; every write checks it again itself.
   */
  assertMayWrite(c: Collection, action: WriteAction, req: Pick<RequestInfo, 'isSuperuser'>): void {
    assertWritable(c);
    this.access.assertNotLocked(ruleOf(c, action), req);
  }

  /**
   * 404 unless record `id` exists and the update rule lets `req` update it. A rule that
   * reads `@request.body` is checked only when `body` is given (else only existence is).
   * One indexed read: callers use it before costly work (reading a large body, hashing a
   * password) that a missing or forbidden record would waste.
   */
  async assertUpdatable(exec: Executor, c: Collection, id: string, req: RequestInfo, body?: Record<string, unknown>): Promise<void> {
    const early = !readsBody(c.updateRule);
    const found = await this.access.findWithRule(exec, c, early ? c.updateRule : '', id, req);
    if (!found || (early && !found.allowed)) throw notFound();
    if (early || !body) return;
    const resolved = resolveBody(c, body, found.values, !req.isSuperuser);
    if (!(await this.access.allows(exec, c, c.updateRule, id, { ...req, body: resolved.ruleBody }))) throw notFound();
  }

  /**
   * Creates a record (docs/api.md §3.3); within `scope` when given (batch), else in its own
   * transaction. `intercept` runs around the write after the rule check (the API's request
   * hook); when it does not proceed, nothing is written and the result is undefined.
   */
  async create(c: Collection, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope): Promise<Record<string, unknown>>;
  async create(c: Collection, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope: WriteScope | undefined, intercept: WriteIntercept | undefined): Promise<Record<string, unknown> | undefined>;
  async create(c: Collection, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope, intercept?: WriteIntercept): Promise<Record<string, unknown> | undefined> {
    this.assertMayWrite(c, 'create', req);
    const hashes = await prehashPasswords(c, body);
    const message = 'Failed to create record.';
    return this.write(message, scope, async (s) => {
      const trx = s.trx;
      const record = new RecordModel(c);
      const resolved = resolveBody(c, body, record.valuesRef(), !req.isSuperuser);
      const values = resolved.values;
      const freshId = values.id === '' && hasDefaultIdPattern(c);
      fillGenerated(c, values);
      record.replaceValues(values, resolved.touched);
      const ruleReq: RequestInfo = { ...req, body: resolved.ruleBody };
      // SECURITY: createRule and manageRule see `verified` forced false (docs/api.md §3.3), so a
      // rule that trusts `verified` cannot be satisfied by sending `verified: true`.
      const verifiedRequested = c.type === 'auth' && values.verified === true;
      if (c.type === 'auth') values.verified = false;
      const manager = await this.access.canManage(trx, c, values, false, ruleReq);
      if (!(await this.access.allowsValues(trx, c, c.createRule, values, ruleReq))) throw badRequest(message);
      await this.fieldWrites.assertAllowed(trx, c, resolved.touched, { values }, ruleReq, message);
      if (verifiedRequested && manager) values.verified = true;
      const checks = (errors: ErrorData): void => {
        // docs/api.md §3.7: the normalised value decides (`1`, `"true"` … count) and the error joins the others.
        if (verifiedRequested && !manager) errors.verified = mismatch();
        validateAuthCreate(c, resolved, errors);
      };
      const save = (): Promise<void> => this.writer.save(s, record, { validate: true, message, hashes, checks, freshId });
      if (!(await intercepted(intercept, record, save, s))) return undefined;
      return (await this.present(trx, c, [record.valuesRef()], out, req))[0]!;
    });
  }

  /** Updates a record (docs/api.md §3.4); within `scope` when given (batch), else in its own transaction. `intercept` as for create. */
  async update(c: Collection, id: string, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope): Promise<Record<string, unknown>>;
  async update(c: Collection, id: string, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope: WriteScope | undefined, intercept: WriteIntercept | undefined): Promise<Record<string, unknown> | undefined>;
  async update(c: Collection, id: string, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope, intercept?: WriteIntercept): Promise<Record<string, unknown> | undefined> {
    this.assertMayWrite(c, 'update', req);
    // SECURITY: argon2 costs tens of milliseconds of CPU; a missing or forbidden record
    // answers its 404 without paying it (the write checks both again in its transaction).
    if (hasPasswordToHash(c, body)) await this.assertUpdatable(scope?.trx ?? this.deps.db, c, id, req, body);
    const hashes = await prehashPasswords(c, body);
    const message = 'Failed to update record.';
    return this.write(message, scope, async (s) => {
      const trx = s.trx;
      // A rule that does not read the body is checked with the read of the record; one that
      // does needs the body resolved against the stored record first.
      const early = !readsBody(c.updateRule);
      const found = await this.access.findWithRule(trx, c, early ? c.updateRule : '', id, req);
      if (!found) throw notFound();
      const old = found.values;
      const resolved = resolveBody(c, body, old, !req.isSuperuser);
      const ruleReq: RequestInfo = { ...req, body: resolved.ruleBody };
      const allowed = early ? found.allowed : await this.access.allows(trx, c, c.updateRule, id, ruleReq);
      if (!allowed) throw notFound();
      await this.fieldWrites.assertAllowed(trx, c, resolved.touched, { id }, ruleReq, message);
      const newPassword = c.type === 'auth' ? keepPasswordIfEmpty(resolved, old) : '';
      const record = RecordModel.fromStored(c, old);
      record.replaceValues(resolved.values, resolved.touched);
      const checks = async (errors: ErrorData): Promise<void> => {
        if (c.type === 'auth') await validateAuthUpdate(this.access, trx, c, old, resolved, newPassword, ruleReq, errors);
      };
      const save = (): Promise<void> => this.writer.save(s, record, { validate: true, message, hashes, checks });
      if (!(await intercepted(intercept, record, save, s))) return undefined;
      return (await this.present(trx, c, [record.valuesRef()], out, req))[0]!;
    });
  }

  /** Deletes a record with its cascades (docs/api.md §3.5); within `scope` when given (batch). `intercept` as for create; the result says whether it was deleted. */
  async delete(c: Collection, id: string, req: RequestInfo, scope?: WriteScope, intercept?: WriteIntercept): Promise<boolean> {
    this.assertMayWrite(c, 'delete', req);
    return this.write('Failed to delete record.', scope, async (s) => {
      const found = await this.access.findWithRule(s.trx, c, c.deleteRule, id, req);
      if (!found?.allowed) throw notFound();
      const record = RecordModel.fromStored(c, found.values);
      return intercepted(intercept, record, () => this.writer.delete(s, record), s);
    });
  }

  /**
   * The executor of one read operation: its statements share one query budget
   * (docs/security.md "Queries"), or each has its own when no deadlines are given.
   * NOTE: a parameter, not AsyncLocalStorage: on Node 20 an enabled store makes every
   * promise of the process dearer (write-scope.ts), and the executor is threaded already.
   */
  private operation(): Executor {
    return this.deps.deadlines?.start() ?? this.deps.db;
  }

  /** Runs `fn` in a new transaction whose events publish after commit (batch uses it). */
  inTransaction<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    return runInScope(this.deps.db, fn, this.deps.events, this.onHookError, this.trackScopes);
  }

  /**
   * Runs `fn` in a new transaction whose statements all end within `seconds` from now (a
   * batch, docs/api.md §7): past that the next one is refused, and the running one stopped,
   * with the 400 of a query timeout, and the transaction rolls back.
   */
  inTransactionWithin<T>(seconds: number, fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    const on = this.deps.deadlines?.start(seconds);
    return runInScope(this.deps.db, fn, this.deps.events, this.onHookError, this.trackScopes, on);
  }

  /** Deletes every record of a collection with cascades (collection truncate), each through the write pipeline. */
  async truncate(c: Collection): Promise<void> {
    if (c.type === 'view') throw badRequest('Failed to truncate collection.');
    await this.write('Failed to truncate collection.', undefined, async (s) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)}`.execute(s.trx);
      for (const row of rows) {
        const values = rowToValues(c, row);
        // A cascade of an earlier delete may have removed it already.
        const current = await findRecord(s.trx, c, String(values.id));
        if (current) await this.writer.delete(s, RecordModel.fromStored(c, current));
      }
    });
  }

  /** Serializes records for the requester and expands relations. */
  async present(exec: Executor, c: Collection, records: RecordValues[], out: OutputOptions, req: RequestInfo, denied?: DeniedFields): Promise<Record<string, unknown>[]> {
    // One manageRule query per chunk of records, not one per record (a list holds up to 1000).
    const shown = c.type === 'auth' ? await this.access.showsEmails(exec, c, records, req) : undefined;
    // Field readRules (docs/field-rules.md): a list brings its verdicts from its own query.
    const hide = denied ?? await this.fieldReads.deniedFor(exec, c, records, req);
    const items: ExpandItem[] = records.map((values, i) => {
      const json = serializeRecord(c, values, { showHidden: req.isSuperuser, showEmail: shown?.[i] ?? false });
      omitDenied(json, hide[i]);
      return { values, json, denied: hide[i] };
    });
    // onRecordEnrich (docs/hooks.md §2): checked once per call; no handler, no events.
    const enrich = this.hooks.onRecordEnrich.isEmpty ? undefined : (ec: Collection, list: ExpandItem[]) => this.enrich(ec, list, req);
    if (enrich) await enrich(c, items);
    if (out.expand.length > 0) await this.expander.expand(exec, c, items, expandTree(out.expand), req, enrich);
    return items.map((i) => i.json);
  }

  /**
   * Runs onRecordEnrich for each item, for this requester, and applies to its JSON what
   * handlers chose: fields hidden or shown, custom data, and values they set.
   */
  private async enrich(c: Collection, items: ExpandItem[], req: RequestInfo): Promise<void> {
    const hook = this.hooks.onRecordEnrich;
    const app = this.hooks.appFor(undefined);
    const tags = collectionTags(c);
    for (const item of items) {
      const record = RecordModel.fromStored(c, item.values);
      await hook.trigger({ app, record, collection: c, requestInfo: req }, tags, () => undefined);
      const values = record.valuesRef();
      // A value a handler set replaces the serialized one; fields the JSON leaves out stay out.
      for (const f of c.fields) if (f.name in item.json && values[f.name] !== item.values[f.name]) item.json[f.name] = values[f.name];
      item.json = record.exportWith(item.json);
    }
  }

  /**
   * Runs a write in the caller's scope, or in a transaction of its own; database
   * constraint errors become a 400 with `message`.
   */
  private async write<T>(message: string, scope: WriteScope | undefined, fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    try {
      return scope ? await fn(scope) : await this.inTransaction(fn);
    } catch (err) {
      if (isAppError(err)) throw err;
      const translated = this.deps.dialect.translateError(err, message);
      if (translated) throw translated;
      throw err;
    }
  }
}

/** The rule that governs `action` on `c`. */
function ruleOf(c: Collection, action: WriteAction): Rule {
  return action === 'create' ? c.createRule : action === 'update' ? c.updateRule : c.deleteRule;
}

/** Whether a rule may read `@request.body` (conservative: any mention counts). */
function readsBody(rule: string | null): boolean {
  return rule !== null && rule.includes('@request.body');
}

function hasDefaultIdPattern(c: Collection): boolean {
  return c.fields.find((f) => f.name === 'id')?.autogeneratePattern === DEFAULT_ID_PATTERN;
}

function assertWritable(c: Collection): void {
  if (c.type === 'view') throw new AppError(400, 'Unsupported collection type.');
}

/** Runs the write through `intercept` when there is one; whether it proceeded. */
async function intercepted(intercept: WriteIntercept | undefined, record: RecordModel, write: () => Promise<void>, scope: WriteScope | undefined): Promise<boolean> {
  if (!intercept) {
    await write();
    return true;
  }
  let proceeded = false;
  await intercept(record, async () => {
    proceeded = true;
    await write();
  }, scope);
  return proceeded;
}
