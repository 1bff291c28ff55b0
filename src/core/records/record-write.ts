/**
 * The record write pipeline: every write of a record — the API's, a batch's,
 * app code's, a cascade's, a password rehash — goes through these named stages,
 * inside the caller's transaction (a WriteScope):
 *
 *   model hook (onRecordCreate/Update/Delete) → validate (onRecordValidate →
 *   field, relation and id checks) → execute (hash, stamp, files, SQL, outbox, event)
 *   → after commit: onRecord…Success; after rollback: onRecord…Error.
 *
 * With no hook bound the stages run directly (docs/hooks.md §2).
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { badRequest, type ErrorData } from '../../errors/app-error.js';
import type { Collection } from '../collections/collection.js';
import { DEFAULT_ID_PATTERN } from '../collections/collection-defaults.js';
import type { Schema } from '../collections/schema.js';
import { applyHashes, prehashPasswords } from './record-auth-form.js';
import { fillGenerated, generateValue, stampDates } from './record-defaults.js';
import { deleteWithReferences, type CascadeWriter } from './record-delete.js';
import type { RecordFiles } from './record-files.js';
import { collectionTags, type RecordHooks } from './record-hooks.js';
import { RecordModel } from './record-model.js';
import { changedFields, deleteRow, insertRecord, updateRecord } from './record-store.js';
import { validateAuthId, validateFields, validateNewId, validateRelations } from './record-validate.js';
import type { RecordOutbox } from './record-outbox.js';
import type { WriteScope } from './write-scope.js';
import { INSTALLER_EMAIL } from '../auth/installer-email.js';

/** What the pipeline needs. */
export interface RecordWriterDeps {
  schema: Schema;
  dialect: Dialect;
  hooks: RecordHooks;
  /** Stores uploads and removes dropped files; absent in unit tests. */
  files?: RecordFiles;
  /** Captures changes for webhooks in the write's transaction (docs/webhooks.md §4); absent: none. */
  outbox?: RecordOutbox;
}

/** How one save runs. */
export interface SaveOptions {
  /** False for `saveNoValidate`: hooks still run, the checks do not. */
  validate: boolean;
  /** The message of a 400 for this save ('Failed to create record.'). */
  message: string;
  /** Hashes of the plain passwords the save sets, made before the transaction opened (the API does). */
  hashes?: Map<string, string>;
  /** Checks of the request around the record (the auth form's passwordConfirm …), joined with the field errors. */
  checks?: (errors: ErrorData) => Promise<void> | void;
  /** A new record's id was drawn from the default pattern just now: no lookup for a clash. */
  freshId?: boolean;
}

/** The failures a new record cannot have: its id drawn from the default pattern is not looked up. */
const NO_CHECKS: SaveOptions = { validate: true, message: 'Failed to save record.' };

/** RecordWriter runs the pipeline's stages for one record at a time. */
export class RecordWriter {
  constructor(private readonly deps: RecordWriterDeps) {}

  /** Creates (new record) or updates a record inside `scope`'s transaction. */
  async save(scope: WriteScope, record: RecordModel, options: SaveOptions = NO_CHECKS): Promise<void> {
    const hooks = this.deps.hooks;
    const isNew = record.isNew();
    const perform = (): Promise<void> => this.validateAndExecute(scope, record, options);
    if (hooks.quiet) return perform();
    this.scheduleAfterHooks(scope, record, isNew ? 'create' : 'update');
    const hook = isNew ? hooks.onRecordCreate : hooks.onRecordUpdate;
    if (hook.isEmpty) return perform();
    await hook.trigger({ app: hooks.appFor(scope), record, collection: record.collection() }, collectionTags(record.collection()), perform);
  }

  /** Deletes a record with its cascades inside `scope`'s transaction. */
  async delete(scope: WriteScope, record: RecordModel, depth = 0): Promise<void> {
    const hooks = this.deps.hooks;
    const perform = (): Promise<void> => this.executeDelete(scope, record, depth);
    if (hooks.quiet) return perform();
    this.scheduleAfterHooks(scope, record, 'delete');
    if (hooks.onRecordDelete.isEmpty) return perform();
    await hooks.onRecordDelete.trigger({ app: hooks.appFor(scope), record, collection: record.collection() }, collectionTags(record.collection()), perform);
  }

  private async validateAndExecute(scope: WriteScope, record: RecordModel, options: SaveOptions): Promise<void> {
    const c = record.collection();
    const isNew = record.isNew();
    // An id is needed before validation (uniqueness) and by hooks that run after it.
    const freshId = options.freshId ?? (isNew && record.id === '' && hasDefaultIdPattern(c));
    if (isNew) fillGenerated(c, record.valuesRef());
    if (options.validate) {
      const hooks = this.deps.hooks;
      const check = (): Promise<void> => this.validate(scope.trx, record, options, freshId);
      if (hooks.onRecordValidate.isEmpty) await check();
      else await hooks.onRecordValidate.trigger({ app: hooks.appFor(scope), record, collection: c }, collectionTags(c), check);
    }
    if (isNew) await this.executeCreate(scope, record, options);
    else await this.executeUpdate(scope, record, options);
  }

  /** The validate stage: field values, the request's own checks, relations, a new id's uniqueness. */
  private async validate(trx: Executor, record: RecordModel, options: SaveOptions, freshId: boolean): Promise<void> {
    const c = record.collection();
    const values = record.valuesRef();
    const old = record.isNew() ? undefined : storedValues(record);
    const input = { collection: c, values, old, touched: record.changedFields() };
    const errors = validateFields(input);
    await options.checks?.(errors);
    await validateRelations(trx, this.deps.schema, input, errors);
    // NOTE: an id drawn from the default pattern (36^15 values) is not looked up first; the
    // primary key still refuses the practically impossible clash, as a 400.
    if (!old && !freshId) {
      await validateNewId(trx, c, String(values.id), errors);
      await validateAuthId(trx, this.deps.schema, c, String(values.id), errors);
    }
    if (Object.keys(errors).length > 0) throw badRequest(options.message, errors);
  }

  private async executeCreate(scope: WriteScope, record: RecordModel, options: SaveOptions): Promise<void> {
    const c = record.collection();
    const values = record.valuesRef();
    applyHashes(c, values, hashedFields(record), options.hashes ?? (await hashesOf(record)));
    stampDates(c, values, true);
    await this.deps.files?.persist(scope, c, values, undefined, options.message);
    await insertRecord(scope.trx, c, values);
    const outbox = this.deps.outbox;
    if (outbox?.wants(c, 'create')) await outbox.capture(scope, { action: 'create', collection: c, record: values });
    scope.emit({ action: 'create', collection: c, record: values });
    record.markStored();
  }

  private async executeUpdate(scope: WriteScope, record: RecordModel, options: SaveOptions): Promise<void> {
    const c = record.collection();
    const values = record.valuesRef();
    const old = storedValues(record);
    const hashed = hashedFields(record);
    applyHashes(c, values, hashed, options.hashes ?? (await hashesOf(record)));
    // A new password or email ends every session of the record (its tokens are signed with tokenKey).
    if (c.type === 'auth' && (hashed.has('password') || values.email !== old.email)) values.tokenKey = generateValue(c, 'tokenKey');
    stampDates(c, values, false);
    await this.deps.files?.persist(scope, c, values, old, options.message);
    // Only changed columns are written, so untouched indexed columns are not rewritten.
    await updateRecord(scope.trx, c, String(old.id), values, changedFields(c, old, values));
    const outbox = this.deps.outbox;
    if (outbox?.wants(c, 'update')) await outbox.capture(scope, { action: 'update', collection: c, record: values, oldRecord: old });
    scope.emit({ action: 'update', collection: c, record: values });
    record.markStored();
  }

  private async executeDelete(scope: WriteScope, record: RecordModel, depth: number): Promise<void> {
    const c = record.collection();
    const values = storedValues(record);
    // The first-run installer is not a superuser anyone relies on: it neither counts nor is guarded.
    if (c.name === '_superusers' && values.email !== INSTALLER_EMAIL) await assertNotLastSuperuser(scope.trx, c);
    // Before the row and what it references go, so a webhook's filter reads it as stored.
    const outbox = this.deps.outbox;
    if (outbox?.wants(c, 'delete')) await outbox.capture(scope, { action: 'delete', collection: c, record: values, oldRecord: values });
    await deleteWithReferences(scope.trx, this.deps, c, values, this.cascadeWriter(scope), depth);
    await deleteRow(scope.trx, c, String(values.id));
    scope.emit({ action: 'delete', collection: c, record: values });
    this.deps.files?.onDeleted(scope, c, values);
    record.markDeleted();
  }

  /** Cascaded deletes and reference removals are writes of their own, through the same stages. */
  private cascadeWriter(scope: WriteScope): CascadeWriter {
    return {
      delete: (c, values, depth) => this.delete(scope, RecordModel.fromStored(c, values), depth),
      update: async (c, values, field, next) => {
        const r = RecordModel.fromStored(c, values);
        r.replaceValues({ ...values, [field.name]: next }, [field.name]);
        await this.save(scope, r, { validate: false, message: 'Failed to delete record.' });
      },
    };
  }

  /** Registers the after-success and after-error hooks of a write with its transaction. */
  private scheduleAfterHooks(scope: WriteScope, record: RecordModel, action: 'create' | 'update' | 'delete'): void {
    const hooks = this.deps.hooks;
    const success = action === 'create' ? hooks.onRecordAfterCreateSuccess : action === 'update' ? hooks.onRecordAfterUpdateSuccess : hooks.onRecordAfterDeleteSuccess;
    const failure = action === 'create' ? hooks.onRecordAfterCreateError : action === 'update' ? hooks.onRecordAfterUpdateError : hooks.onRecordAfterDeleteError;
    const c = record.collection();
    if (!success.isEmpty) {
      scope.afterCommit(() => success.trigger({ app: hooks.appFor(undefined), record, collection: c }, collectionTags(c), () => undefined));
    }
    if (!failure.isEmpty) {
      scope.afterRollback((error) => failure.trigger({ app: hooks.appFor(undefined), record, collection: c, error }, collectionTags(c), () => undefined));
    }
  }
}

/** The values a stored record was loaded with. */
function storedValues(record: RecordModel): Record<string, unknown> {
  const stored = record.storedRef();
  if (!stored) throw new Error('record is not stored');
  return stored;
}

/** The fields set since load whose plain passwords are to be hashed (not those set raw). */
function hashedFields(record: RecordModel): ReadonlySet<string> {
  const changed = record.changedFields();
  for (const name of changed) if (record.isRaw(name)) return new Set([...changed].filter((n) => !record.isRaw(n)));
  return changed;
}

/** Hashes the plain passwords app code set on `record` (the API hashes before its transaction). */
async function hashesOf(record: RecordModel): Promise<Map<string, string>> {
  const c = record.collection();
  const body: Record<string, unknown> = {};
  const hashed = hashedFields(record);
  for (const f of c.fields) if (f.type === 'password' && hashed.has(f.name)) body[f.name] = record.get(f.name);
  return Object.keys(body).length === 0 ? new Map() : prehashPasswords(c, body);
}

function hasDefaultIdPattern(c: Collection): boolean {
  return c.fields.find((f) => f.name === 'id')?.autogeneratePattern === DEFAULT_ID_PATTERN;
}

async function assertNotLastSuperuser(trx: Executor, c: Collection): Promise<void> {
  const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(c.name)} WHERE ${sql.ref('email')} <> ${INSTALLER_EMAIL}`.execute(trx);
  if (Number(rows[0]?.n ?? 0) <= 1) throw badRequest('You can\'t delete the only existing superuser.');
}
