/**
 * The AuthService signs records in and recognises their tokens (docs/api.md §5.3,
 * §5.7, §5.9). A token that fails any check yields no auth: the request runs
 * as a guest (docs/api.md §1.2).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.js';
import { isAuthCollection, type AuthCollection, type Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { hashPassword, checkPassword } from './password-hash.js';
import { peekClaims, signRecordToken, verifyRecordToken, type TokenClaims } from './auth-token.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import type { AuthInfo, RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from '../records/record-access.js';
import { RecordModel } from '../records/record-model.js';
import type { RecordService } from '../records/record-service.js';
import type { AuthMethod, MfaService } from './mfa-service.js';
import { findSingleColumnUniqueIndex } from '../../tools/index-parse.js';

/** The superusers collection's name. */
export const SUPERUSERS = '_superusers';

/** A signed-in record and its new token. */
export interface AuthResult {
  collection: AuthCollection;
  record: RecordValues;
  token: string;
}

/** Work done after every completed sign-in (e.g. new-location alerts). */
export type SignInListener = (c: AuthCollection, record: RecordValues, req: RequestInfo) => Promise<void>;

/** AuthService verifies credentials and tokens. */
export class AuthService {
  private readonly signInListeners: SignInListener[] = [];

  constructor(private readonly deps: { db: Db; schema: Schema; access: RecordAccess; mfa: MfaService; records: RecordService }) {}

  /** The auth collection named in an auth path, or 404 (docs/api.md §5). */
  authCollection(idOrName: string): AuthCollection {
    const c = this.deps.schema.find(idOrName);
    if (!c || !isAuthCollection(c)) throw new AppError(404, 'Missing or invalid auth collection context.');
    return c;
  }

  /** Resolves an `Authorization` header value to the signed-in record, or null. */
  async authenticate(header: string | undefined): Promise<AuthInfo | null> {
    if (!header) return null;
    const token = /^bearer /i.test(header) ? header.slice(7) : header;
    const claims = peekClaims(token);
    if (!claims || claims.type !== 'auth') return null;
    const c = this.deps.schema.find(claims.collectionId);
    if (!c || !isAuthCollection(c) || c.id !== claims.collectionId) return null;
    const record = await findRecord(this.deps.db, c, claims.id);
    if (!record) return null;
    const verified = await verifyRecordToken(c, String(record.tokenKey), token, 'auth');
    return verified ? { collection: c, record, token: { claims: verified, raw: token } } as AuthInfo : null;
  }

  /**
   * The signed-in record of an identity whose token another node verified (docs/api.md §6.5),
   * or null when the record is gone or its tokenKey changed since (the token was revoked).
   */
  async verifiedElsewhere(collectionId: string, recordId: string, tokenKey: string): Promise<AuthInfo | null> {
    const c = this.deps.schema.find(collectionId);
    if (!c || !isAuthCollection(c) || c.id !== collectionId) return null;
    const record = await findRecord(this.deps.db, c, recordId);
    if (!record || String(record.tokenKey) !== tokenKey) return null;
    return { collection: c, record } as AuthInfo;
  }

  /**
   * Signs in with identity and password (docs/api.md §5.3). Unknown identity and wrong
   * password answer the same 400 after the same amount of hashing work.
   */
  async authWithPassword(c: AuthCollection, identity: string, password: string, identityField: string | undefined, req: RequestInfo, mfaId?: string): Promise<AuthResult> {
    const record = await this.findPasswordIdentity(c, identity, identityField);
    return this.passwordSignIn(c, record, password, req, mfaId);
  }

  /** The record whose identity field (or one of the collection's, in order) holds `identity`; 403 without password auth. */
  async findPasswordIdentity(c: AuthCollection, identity: string, identityField: string | undefined): Promise<RecordValues | undefined> {
    if (!c.passwordAuth.enabled) throw forbidden('The collection is not configured to allow password authentication.');
    const fields = identityField ? [identityField] : c.passwordAuth.identityFields;
    for (const name of fields) {
      if (!c.passwordAuth.identityFields.includes(name) || !c.fields.some((f) => f.name === name)) continue;
      if (name === 'email' && !identityField && !identity.includes('@')) continue;
      const record = await this.findByIdentity(c, name, identity);
      if (record) return record;
    }
    return undefined;
  }

  /**
   * Checks `password` against `record` (the same hashing work when there is none) and
   * completes the sign-in; 400 "Failed to authenticate." for either failure.
   */
  async passwordSignIn(c: AuthCollection, found: RecordValues | undefined, password: string, req: RequestInfo, mfaId?: string): Promise<AuthResult> {
    let record = found;
    const check = await checkPassword(record ? String(record.password) : undefined, password);
    if (!record || !check.ok) throw badRequest('Failed to authenticate.');
    if (check.needsRehash) {
      const rehashed = await hashPassword(password);
      // A write like any other (hooks, event), but the sessions stay: the password did not change.
      const model = RecordModel.fromStored(c, record).setRaw('password', rehashed);
      await this.deps.records.inTransaction((s) => this.deps.records.writer.save(s, model, { validate: false, message: 'Failed to authenticate.' }));
      record = model.valuesRef();
    }
    return this.completeAuth(c, record, 'password', { ...req, context: 'password' }, mfaId);
  }

  /**
   * Finishes a sign-in whose credentials were checked (docs/api.md §5.1, §5.4): applies the
   * authRule, then MFA — throwing `401 {"mfaId"}` when this method opens a session —
   * and issues the token, closing the completed MFA session. Every sign-in method
   * (password, OTP, and OAuth2 too) must end through here so authRule and MFA apply.
   */
  async completeAuth(c: AuthCollection, record: RecordValues, method: AuthMethod, req: RequestInfo, mfaId?: string): Promise<AuthResult> {
    await this.assertAuthRule(c, record, req);
    const session = await this.deps.mfa.check(c, record, method, req, mfaId);
    const result = await this.sign(c, record, {});
    if (session) await this.deps.mfa.close(session);
    for (const listener of this.signInListeners) await listener(c, record, req);
    return result;
  }

  /** Whether a sign-in of `record` needs a second factor (MFA on, and its rule selecting the record). */
  requiresMfa(c: AuthCollection, record: RecordValues, req: RequestInfo): Promise<boolean> {
    return this.deps.mfa.requires(c, record, req);
  }

  /** Calls `listener` after each sign-in that completeAuth completes (not refresh or impersonate). */
  onSignIn(listener: SignInListener): void {
    this.signInListeners.push(listener);
  }

  /** Issues a new token after checking the collection's authRule (docs/api.md §5.1). */
  async issue(c: AuthCollection, record: RecordValues, req: RequestInfo, options: { refreshable?: boolean; duration?: number } = {}): Promise<AuthResult> {
    await this.assertAuthRule(c, record, req);
    return this.sign(c, record, options);
  }

  private async sign(c: AuthCollection, record: RecordValues, options: { refreshable?: boolean; duration?: number }): Promise<AuthResult> {
    const claims: TokenClaims = { id: String(record.id), type: 'auth', collectionId: c.id, refreshable: options.refreshable ?? true };
    const token = await signRecordToken(c, String(record.tokenKey), claims, options.duration);
    return { collection: c, record, token };
  }

  /** Refreshes the request's own token (docs/api.md §5.7). */
  async refresh(c: AuthCollection, req: RequestInfo): Promise<AuthResult> {
    const auth = req.auth;
    if (!auth) throw new AppError(401, 'The request requires valid record authorization token.');
    if (auth.collection.id !== c.id) throw forbidden(`The request requires auth record from ${c.name} collection.`);
    if (auth.token?.claims.refreshable === false) {
      await this.assertAuthRule(c, auth.record, req);
      return { collection: c, record: auth.record, token: auth.token.raw };
    }
    return this.issue(c, auth.record, req);
  }

  /**
   * Issues a superuser a non-refreshable token for any record of the collection
   * (docs/api.md §5.7); `duration` 0 means the collection's auth token duration.
   */
  async impersonate(c: AuthCollection, recordId: string, duration: number, req: RequestInfo): Promise<AuthResult> {
    const record = await findRecord(this.deps.db, c, recordId);
    if (!record) throw notFound();
    return this.issue(c, record, req, { refreshable: false, duration });
  }

  private async assertAuthRule(c: AuthCollection, record: RecordValues, req: RequestInfo): Promise<void> {
    if (req.isSuperuser) return;
    const denied = new AppError(403, "The request doesn't satisfy the collection requirements to authenticate.");
    if (c.authRule === null) throw denied;
    if (c.authRule === '') return;
    const asRecord: RequestInfo = { ...req, auth: { collection: c, record }, isSuperuser: c.name === SUPERUSERS };
    if (!(await this.deps.access.allows(this.deps.db, c, c.authRule, String(record.id), asRecord))) throw denied;
  }

  private async findByIdentity(c: Collection, field: string, identity: string): Promise<RecordValues | undefined> {
    // Emails always match case-insensitively; other identity fields when their unique
    // index is `COLLATE NOCASE` (docs/api.md §5.3). lower() folds ASCII in both dialects, as NOCASE does.
    const column = sql`${sql.ref(field)}`;
    const nocase = field === 'email' || findSingleColumnUniqueIndex(c.indexes, field)?.columns[0]?.collate?.toUpperCase() === 'NOCASE';
    const match = nocase ? sql`lower(${column}) = lower(${identity})` : sql`${column} = ${identity}`;
    const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(c.name)} WHERE ${match} LIMIT 1`.execute(this.deps.db);
    return rows[0] ? findRecord(this.deps.db, c, rows[0].id) : undefined;
  }
}
