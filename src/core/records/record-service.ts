/**
 * The RecordService runs the records API of spec §3: rules, body resolution,
 * validation, the write in a transaction, and the JSON each viewer may see.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { AppError, badRequest, fieldError, isAppError, notFound, type ErrorData } from '../../errors/app-error.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { hashPassword, checkPassword } from '../auth/password-hash.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RuleCompiler } from '../rules/rule-compiler.js';
import type { RequestInfo } from '../rules/request-info.js';
import { RecordAccess } from './record-access.js';
import { plainPassword, resolveBody, type ResolvedBody } from './record-body.js';
import { deleteWithReferences } from './record-delete.js';
import { Expander, expandTree, type ExpandItem } from './record-expand.js';
import { listRecords, type ListQuery } from './record-list.js';
import { serializeRecord } from './record-serialize.js';
import { findRecord, insertRecord, rowToValues, updateRecord, type RecordValues } from './record-store.js';
import { validateAuthId, validateFields, validateNewId, validateRelations } from './record-validate.js';

/** What the RecordService needs. */
export interface RecordServiceDeps {
  db: Db;
  dialect: Dialect;
  schema: Schema;
  compiler: RuleCompiler;
}

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

  constructor(private readonly deps: RecordServiceDeps) {
    this.db = deps.db;
    this.access = new RecordAccess(deps.compiler);
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
    const values = await findRecord(this.deps.db, c, id);
    if (!values || !(await this.access.allows(this.deps.db, c, c.viewRule, id, req))) throw notFound();
    return (await this.present(this.deps.db, c, [values], out, req))[0]!;
  }

  /** Creates a record (spec §3.3). */
  async create(c: Collection, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>> {
    assertWritable(c);
    this.access.assertNotLocked(c.createRule, req);
    const hashes = await prehashPasswords(c, body);
    const created = await this.transaction('Failed to create record.', async (trx) => {
      const defaults = this.defaults(c);
      const resolved = resolveBody(c, body, defaults, !req.isSuperuser);
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
      this.validateAuthCreate(c, resolved, errors);
      await validateRelations(trx, this.deps.schema, { collection: c, values, old: undefined, touched: resolved.touched }, errors);
      await validateNewId(trx, c, String(values.id), errors);
      await validateAuthId(trx, this.deps.schema, c, String(values.id), errors);
      if (Object.keys(errors).length > 0) throw badRequest('Failed to create record.', errors);
      applyHashes(c, values, resolved.touched, hashes);
      this.stampDates(c, values, true);
      await insertRecord(trx, c, values);
      return values;
    });
    return (await this.present(this.deps.db, c, [created], out, req))[0]!;
  }

  /** Updates a record (spec §3.4). */
  async update(c: Collection, id: string, body: Record<string, unknown>, out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>> {
    assertWritable(c);
    this.access.assertNotLocked(c.updateRule, req);
    const hashes = await prehashPasswords(c, body);
    const updated = await this.transaction('Failed to update record.', async (trx) => {
      const old = await findRecord(trx, c, id);
      if (!old) throw notFound();
      const resolved = resolveBody(c, body, old, !req.isSuperuser);
      const ruleReq: RequestInfo = { ...req, body: resolved.ruleBody };
      if (!(await this.access.allows(trx, c, c.updateRule, id, ruleReq))) throw notFound();
      const values = resolved.values;
      const newPassword = c.type === 'auth' ? keepPasswordIfEmpty(resolved, old) : '';
      const errors = validateFields({ collection: c, values, old, touched: resolved.touched });
      if (c.type === 'auth') await this.validateAuthUpdate(trx, c, old, resolved, newPassword, ruleReq, errors);
      await validateRelations(trx, this.deps.schema, { collection: c, values, old, touched: resolved.touched }, errors);
      if (Object.keys(errors).length > 0) throw badRequest('Failed to update record.', errors);
      applyHashes(c, values, resolved.touched, hashes);
      if (c.type === 'auth' && (resolved.touched.has('password') || values.email !== old.email)) {
        values.tokenKey = this.generate(c, 'tokenKey');
      }
      this.stampDates(c, values, false);
      await updateRecord(trx, c, id, values, c.fields);
      return values;
    });
    return (await this.present(this.deps.db, c, [updated], out, req))[0]!;
  }

  /** Deletes a record with its cascades (spec §3.5). */
  async delete(c: Collection, id: string, req: RequestInfo): Promise<void> {
    assertWritable(c);
    this.access.assertNotLocked(c.deleteRule, req);
    await this.transaction('Failed to delete record.', async (trx) => {
      const values = await findRecord(trx, c, id);
      if (!values || !(await this.access.allows(trx, c, c.deleteRule, id, req))) throw notFound();
      if (c.name === '_superusers') await this.assertNotLastSuperuser(trx, c);
      await deleteWithReferences(trx, this.deps, c, values);
    });
  }

  /** Deletes every record of a collection with cascades (collection truncate). */
  async truncate(c: Collection): Promise<void> {
    if (c.type === 'view') throw badRequest('Failed to truncate collection.');
    await this.transaction('Failed to truncate collection.', async (trx) => {
      const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)}`.execute(trx);
      for (const row of rows) {
        const values = rowToValues(c, row);
        if (await findRecord(trx, c, String(values.id))) await deleteWithReferences(trx, this.deps, c, values);
      }
    });
  }

  /** Serializes records for the requester and expands relations. */
  async present(exec: Executor, c: Collection, records: RecordValues[], out: OutputOptions, req: RequestInfo): Promise<Record<string, unknown>[]> {
    const items: ExpandItem[] = [];
    for (const values of records) {
      const showEmail = await this.access.showsEmail(exec, c, values, req);
      items.push({ values, json: serializeRecord(c, values, { showHidden: req.isSuperuser, showEmail }) });
    }
    if (out.expand.length > 0) await this.expander.expand(exec, c, items, expandTree(out.expand), req);
    return items.map((i) => i.json);
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

  private validateAuthCreate(c: Collection, resolved: ResolvedBody, errors: ErrorData): void {
    if (c.type !== 'auth') return;
    if (!resolved.touched.has('password') || resolved.values.password === '') errors.password ??= fieldError('validation_required', 'Cannot be blank.');
    const confirm = plainPassword(resolved.extras.passwordConfirm);
    if (confirm === '') errors.passwordConfirm = fieldError('validation_required', 'Cannot be blank.');
    else if (confirm !== resolved.values.password) errors.passwordConfirm = mismatch();
  }

  /**
   * The auth form rules of an update (spec §3.7, PocketBase's RecordUpsert): a password
   * change needs `passwordConfirm`, and `oldPassword` from non-managers; sending only
   * `passwordConfirm` or `oldPassword` still asks for the password.
   */
  private async validateAuthUpdate(trx: Executor, c: Collection, old: RecordValues, resolved: ResolvedBody, password: string, req: RequestInfo, errors: ErrorData): Promise<void> {
    const manager = await this.access.canManage(trx, c, old, true, req);
    const v = resolved.values;
    if (!manager) {
      if (v.email !== old.email) errors.email = mismatch();
      if (v.verified !== old.verified) errors.verified = mismatch();
    }
    const confirm = plainPassword(resolved.extras.passwordConfirm);
    const oldPassword = plainPassword(resolved.extras.oldPassword);
    const blank = () => fieldError('validation_required', 'Cannot be blank.');
    if (password === '' && (confirm !== '' || oldPassword !== '')) errors.password ??= blank();
    if (confirm === '' && (password !== '' || oldPassword !== '')) errors.passwordConfirm = blank();
    else if (password !== '' && confirm !== password) errors.passwordConfirm = mismatch();
    if (manager || (password === '' && confirm === '')) return;
    if (oldPassword === '') errors.oldPassword = blank();
    else if (!(await checkPassword(String(old.password), oldPassword)).ok) {
      errors.oldPassword = fieldError('validation_invalid_old_password', 'Missing or invalid old password.');
    }
  }

  private async assertNotLastSuperuser(trx: Executor, c: Collection): Promise<void> {
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(c.name)}`.execute(trx);
    if (Number(rows[0]?.n ?? 0) <= 1) throw badRequest('You can\'t delete the only existing superuser.');
  }

  /** Runs a write in a transaction; database constraint errors become a 400 with `message`. */
  private async transaction<T>(message: string, fn: (trx: Executor) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn);
    } catch (err) {
      if (isAppError(err)) throw err;
      const translated = this.deps.dialect.translateError(err, message);
      if (translated) throw translated;
      throw err;
    }
  }
}

/**
 * Hashes the plain passwords a body submits before the write's transaction opens:
 * argon2 takes tens of milliseconds, and on SQLite the transaction holds the only
 * connection. A hash of a body that then fails validation is simply dropped.
 */
async function prehashPasswords(c: Collection, body: Record<string, unknown>): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const f of c.fields) {
    const plain = plainPassword(body[f.name]);
    if (f.type === 'password' && plain !== '' && plain.length <= 256) {
      hashes.set(plain, await hashPassword(plain));
    }
  }
  return hashes;
}

/** Replaces the plain passwords the body set with their hashes. */
function applyHashes(c: Collection, values: RecordValues, touched: ReadonlySet<string>, hashes: Map<string, string>): void {
  for (const f of c.fields) {
    const plain = values[f.name];
    if (f.type !== 'password' || !touched.has(f.name) || typeof plain !== 'string' || plain === '') continue;
    const hash = hashes.get(plain);
    // The body went through validation (max ≤ 71 characters), so its plain text was hashed above.
    if (!hash) throw new Error('password was not hashed before the write');
    values[f.name] = hash;
  }
}

function assertWritable(c: Collection): void {
  if (c.type === 'view') throw new AppError(400, 'Unsupported collection type.');
}

/**
 * The submitted new password of an auth update. An empty one means "no change"
 * (PocketBase ignores it), so the stored hash is kept and the field counts as untouched.
 */
function keepPasswordIfEmpty(resolved: ResolvedBody, old: RecordValues): string {
  if (!resolved.touched.has('password')) return '';
  const password = plainPassword(resolved.values.password);
  if (password === '') {
    resolved.values.password = old.password;
    resolved.touched.delete('password');
  }
  return password;
}

function mismatch() {
  return fieldError('validation_values_mismatch', "Values don't match.");
}
