/**
 * The RecordService runs the records API of spec §3: rules, body resolution,
 * validation, the write in a transaction, and the JSON each viewer may see.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { AppError, badRequest, isAppError, notFound } from '../../errors/app-error.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { Collection, Rule } from '../collections/collection.js';
import { DEFAULT_ID_PATTERN } from '../collections/collection-defaults.js';
import type { Schema } from '../collections/schema.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { RecordAccess } from './record-access.js';
import { resolveBody, type ResolvedBody } from './record-body.js';
import { applyHashes, hasPasswordToHash, keepPasswordIfEmpty, mismatch, prehashPasswords, validateAuthCreate, validateAuthUpdate } from './record-auth-form.js';
import { runInScope, WriteScope, type RecordEventSink } from './write-scope.js';
import { deleteWithReferences } from './record-delete.js';
import type { RecordFiles } from './record-files.js';
import { Expander, expandTree, type ExpandItem } from './record-expand.js';
import { listRecords, type ListQuery } from './record-list.js';
import { serializeRecord } from './record-serialize.js';
import { changedFields, findRecord, insertRecord, rowToValues, updateRecord, type RecordValues } from './record-store.js';
import { validateAuthId, validateFields, validateNewId, validateRelations } from './record-validate.js';

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
  /** Stores uploads and removes dropped files (spec §8.1, §3.5); the composition root always gives it. */
  files?: RecordFiles;
}

/** The three record writes, each governed by its own rule. */
export type WriteAction = 'create' | 'update' | 'delete';

/** Output options of a read or write: which relations to expand. */
export interface OutputOptions {
  expand: string[];
}

/** A list response (spec §1.7) with serialized items. */
export interface RecordListJson {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: Record<string, unknown>[];
}

/** RecordService is the records API without HTTP. */
export class RecordService {
  readonly access: RecordAccess;
  /** The database, for callers that present records outside a write. */
  readonly db: Db;
  private readonly expander: Expander;

  private readonly onHookError: (err: unknown) => void;

  constructor(private readonly deps: RecordServiceDeps) {
    this.db = deps.db;
    this.onHookError = deps.onHookError ?? (() => undefined);
    this.access = new RecordAccess(deps.compiler, deps.dialect);
    this.expander = new Expander(deps.schema, this.access, deps.dialect);
  }

  /** The collection named in a records path, or 404 `Missing collection context.`. */
  collection(idOrName: string): Collection {
    const c = this.deps.schema.find(idOrName);
    if (!c) throw notFound('Missing collection context.');
    return c;
  }

  /** Lists records (spec §3.1). */
  async list(c: Collection, q: ListQuery, out: OutputOptions, req: RequestInfo): Promise<RecordListJson> {
    const page = await listRecords(this.deps.db, { access: this.access, compiler: this.deps.compiler, dialect: this.deps.dialect }, c, q, req);
    const items = await this.present(this.deps.db, c, page.items, out, req);
    return { ...page, items };
  }

  /** Views one record (spec §3.2). */
  async view(c: Collection, id: string, out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>> {
    this.access.assertNotLocked(c.viewRule, req);
    const found = await this.access.findWithRule(this.deps.db, c, c.viewRule, id, req);
    if (!found?.allowed) throw notFound();
    return (await this.present(this.deps.db, c, [found.values], out, req))[0]!;
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

  /** Creates a record (spec §3.3); within `scope` when given (batch), else in its own transaction. */
  async create(c: Collection, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope): Promise<Record<string, unknown>> {
    this.assertMayWrite(c, 'create', req);
    const hashes = await prehashPasswords(c, body);
    return this.write('Failed to create record.', scope, async (s) => {
      const trx = s.trx;
      const defaults = this.defaults(c);
      const resolved = resolveBody(c, body, defaults, !req.isSuperuser);
      const freshId = resolved.values.id === '' && hasDefaultIdPattern(c);
      const values = this.fillGenerated(c, resolved);
      const ruleReq: RequestInfo = { ...req, body: resolved.ruleBody };
      // SECURITY: createRule and manageRule see `verified` forced false (spec §3.3), so a
      // rule that trusts `verified` cannot be satisfied by sending `verified: true`.
      const verifiedRequested = c.type === 'auth' && values.verified === true;
      if (c.type === 'auth') values.verified = false;
      const manager = await this.access.canManage(trx, c, values, false, ruleReq);
      if (!(await this.access.allowsValues(trx, c, c.createRule, values, ruleReq))) throw badRequest('Failed to create record.');
      if (verifiedRequested && manager) values.verified = true;
      const errors = validateFields({ collection: c, values, old: undefined, touched: resolved.touched });
      // Spec §3.7: the normalised value decides (`1`, `"true"` … count) and the error joins the others.
      if (verifiedRequested && !manager) errors.verified = mismatch();
      validateAuthCreate(c, resolved, errors);
      await validateRelations(trx, this.deps.schema, { collection: c, values, old: undefined, touched: resolved.touched }, errors);
      // NOTE: an id drawn from the default pattern (36^15 values) is not looked up first; the
      // primary key still refuses the practically impossible clash, as a 400.
      if (!freshId) {
        await validateNewId(trx, c, String(values.id), errors);
        await validateAuthId(trx, this.deps.schema, c, String(values.id), errors);
      }
      if (Object.keys(errors).length > 0) throw badRequest('Failed to create record.', errors);
      applyHashes(c, values, resolved.touched, hashes);
      this.stampDates(c, values, true);
      await this.deps.files?.persist(s, c, values, undefined, 'Failed to create record.');
      await insertRecord(trx, c, values);
      s.emit({ action: 'create', collection: c, record: values });
      return (await this.present(trx, c, [values], out, req))[0]!;
    });
  }

  /** Updates a record (spec §3.4); within `scope` when given (batch), else in its own transaction. */
  async update(c: Collection, id: string, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo, scope?: WriteScope): Promise<Record<string, unknown>> {
    this.assertMayWrite(c, 'update', req);
    // SECURITY: argon2 costs tens of milliseconds of CPU; a missing or forbidden record
    // answers its 404 without paying it (the write checks both again in its transaction).
    if (hasPasswordToHash(c, body)) await this.assertUpdatable(scope?.trx ?? this.deps.db, c, id, req, body);
    const hashes = await prehashPasswords(c, body);
    return this.write('Failed to update record.', scope, async (s) => {
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
      const values = resolved.values;
      const newPassword = c.type === 'auth' ? keepPasswordIfEmpty(resolved, old) : '';
      const errors = validateFields({ collection: c, values, old, touched: resolved.touched });
      if (c.type === 'auth') await validateAuthUpdate(this.access, trx, c, old, resolved, newPassword, ruleReq, errors);
      await validateRelations(trx, this.deps.schema, { collection: c, values, old, touched: resolved.touched }, errors);
      if (Object.keys(errors).length > 0) throw badRequest('Failed to update record.', errors);
      applyHashes(c, values, resolved.touched, hashes);
      if (c.type === 'auth' && (resolved.touched.has('password') || values.email !== old.email)) {
        values.tokenKey = this.generate(c, 'tokenKey');
      }
      this.stampDates(c, values, false);
      await this.deps.files?.persist(s, c, values, old, 'Failed to update record.');
      // Only changed columns are written, so untouched indexed columns are not rewritten.
      await updateRecord(trx, c, id, values, changedFields(c, old, values));
      s.emit({ action: 'update', collection: c, record: values });
      return (await this.present(trx, c, [values], out, req))[0]!;
    });
  }

  /** Deletes a record with its cascades (spec §3.5); within `scope` when given (batch). */
  async delete(c: Collection, id: string, req: RequestInfo, scope?: WriteScope): Promise<void> {
    this.assertMayWrite(c, 'delete', req);
    await this.write('Failed to delete record.', scope, async (s) => {
      const found = await this.access.findWithRule(s.trx, c, c.deleteRule, id, req);
      if (!found?.allowed) throw notFound();
      const values = found.values;
      if (c.name === '_superusers') await this.assertNotLastSuperuser(s.trx, c);
      await deleteWithReferences(s.trx, this.deps, c, values, (gone, record) => this.onDeleted(s, gone, record));
    });
  }

  /** Runs `fn` in a new transaction whose events publish after commit (batch uses it). */
  inTransaction<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    return runInScope(this.deps.db, fn, this.deps.events, this.onHookError);
  }

  /** Deletes every record of a collection with cascades (collection truncate). */
  async truncate(c: Collection): Promise<void> {
    if (c.type === 'view') throw badRequest('Failed to truncate collection.');
    await this.write('Failed to truncate collection.', undefined, async (s) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)}`.execute(s.trx);
      for (const row of rows) {
        const values = rowToValues(c, row);
        if (!(await findRecord(s.trx, c, String(values.id)))) continue;
        await deleteWithReferences(s.trx, this.deps, c, values, (gone, record) => this.onDeleted(s, gone, record));
      }
    });
  }

  /** Serializes records for the requester and expands relations. */
  async present(exec: Executor, c: Collection, records: RecordValues[], out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>[]> {
    // One manageRule query per chunk of records, not one per record (a list holds up to 1000).
    const shown = c.type === 'auth' ? await this.access.showsEmails(exec, c, records, req) : undefined;
    const items: ExpandItem[] = records.map((values, i) => ({ values, json: serializeRecord(c, values, { showHidden: req.isSuperuser, showEmail: shown?.[i] ?? false }) }));
    if (out.expand.length > 0) await this.expander.expand(exec, c, items, expandTree(out.expand), req);
    return items.map((i) => i.json);
  }

  /** Publishes a deleted record's event and schedules the removal of its files (spec §3.5). */
  private onDeleted(s: WriteScope, c: Collection, record: RecordValues): void {
    s.emit({ action: 'delete', collection: c, record });
    this.deps.files?.onDeleted(s, c, record);
  }

  /** Values of a new record before the body applies. */
  private defaults(c: Collection): RecordValues {
    const values: RecordValues = {};
    for (const f of c.fields) values[f.name] = getFieldType(f.type)!.defaultValue(f);
    return values;
  }

  /** Fills autogenerated text values (id, tokenKey, …) left empty by the body. */
  private fillGenerated(c: Collection, resolved: ResolvedBody): RecordValues {
    const values = resolved.values;
    for (const f of c.fields) {
      if (f.type === 'text' && values[f.name] === '' && f.autogeneratePattern) values[f.name] = this.generate(c, f.name);
    }
    return values;
  }

  private generate(c: Collection, name: string): string {
    const f = c.fields.find((x) => x.name === name)!;
    return getFieldType('text')!.autogenerate?.(f) ?? '';
  }

  private stampDates(c: Collection, values: RecordValues, isNew: boolean): void {
    const now = nowDateTime();
    for (const f of c.fields) {
      if (f.type !== 'autodate') continue;
      if ((isNew && f.onCreate) || (!isNew && f.onUpdate)) values[f.name] = now;
    }
  }

  private async assertNotLastSuperuser(trx: Executor, c: Collection): Promise<void> {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(c.name)}`.execute(trx);
    if (Number(rows[0]?.n ?? 0) <= 1) throw badRequest('You can\'t delete the only existing superuser.');
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
