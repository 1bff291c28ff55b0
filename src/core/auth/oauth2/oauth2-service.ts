/**
 * The OAuth2Service signs records in and up with an OAuth2 provider (docs/api.md
 * §5.5): it exchanges the code, fetches the provider's user, and finds, links
 * or creates the auth record in one transaction.
 */
import { runStep, type FlowStep } from '../flow-step.js';
import type { Db, Executor } from '../../../db/database.js';
import { AppError, badRequest, forbidden, isAppError } from '../../../errors/app-error.js';
import type { AuthCollection } from '../../collections/collection.js';
import type { RecordService } from '../../records/record-service.js';
import { findRecord, type RecordValues } from '../../records/record-store.js';
import type { WriteScope } from '../../records/write-scope.js';
import { guestRequest, type RequestInfo } from '../../rules/request-info.js';
import type { Schema } from '../../collections/schema.js';
import type { PendingFile } from '../../files/pending-file.js';
import type { OutboundHttp } from '../../../tools/outbound-http.js';
import { ExternalAuths, findByEmail } from './external-auths.js';
import type { AppleRedirectNames } from './apple-redirect-names.js';
import { OwnershipClaims } from '../ownership-claim.js';
import { downloadAvatar } from './oauth2-avatar.js';
import type { OAuth2User } from './oauth2-definition.js';
import { OAuth2Provider, parseProviderConfig, randomString } from './oauth2-provider.js';

/** What a client submits to auth-with-oauth2 (already shape-checked). */
export interface OAuth2SignIn {
  provider: string;
  code: string;
  codeVerifier: string;
  redirectURL: string;
  createData: Record<string, unknown>;
}

/** The outcome of a provider sign-in: the record to issue a token for, the provider's user, and whether it is new. */
export interface OAuth2Outcome {
  record: RecordValues;
  user: OAuth2User;
  isNew: boolean;
}

const FAILED = 'Failed to authenticate.';

/** The configured providers of a collection that initialise; a broken config is skipped (docs/api.md §5.2). */
export function configuredProviders(c: AuthCollection): OAuth2Provider[] {
  const out: OAuth2Provider[] = [];
  for (const raw of c.oauth2.providers) {
    try {
      out.push(new OAuth2Provider(parseProviderConfig(raw)));
    } catch {
      continue;
    }
  }
  return out;
}

/** The provider config item named `name`, or undefined. */
export function providerConfig(c: AuthCollection, name: string): Record<string, unknown> | undefined {
  return c.oauth2.providers.find((p) => p.name === name);
}

/** What the OAuth2Service needs. */
export interface OAuth2ServiceDeps {
  db: Db;
  schema: Schema;
  records: RecordService;
  /** Names Apple sent to the browser redirect, by code (the all-in-one flow). */
  appleNames?: Pick<AppleRedirectNames, 'take'>;
  /** The guarded client that downloads avatars. */
  outbound: OutboundHttp;
}

/** What a sign-in hands its request hook: the provider's user and the sign-up data, before the record is settled. */
export interface OAuth2Found {
  provider: string;
  user: OAuth2User;
  createData: Record<string, unknown>;
}

/** OAuth2Service runs the server side of docs/api.md §5.5. */
export class OAuth2Service {
  private readonly links: ExternalAuths;
  private readonly ownership: OwnershipClaims;

  constructor(private readonly deps: OAuth2ServiceDeps) {
    this.links = new ExternalAuths(deps);
    this.ownership = new OwnershipClaims(deps);
  }

  /** Asserts the collection allows OAuth2 sign-in (403 otherwise). */
  assertEnabled(c: AuthCollection): void {
    if (!c.oauth2.enabled) throw forbidden('The collection is not configured to allow OAuth2 authentication.');
  }

  /**
   * Exchanges the code, fetches the user and settles the record (docs/api.md §5.5).
   * The caller issues the token afterwards, outside the transaction.
   */
  async signIn(c: AuthCollection, input: OAuth2SignIn, req: RequestInfo): Promise<OAuth2Outcome>;
  async signIn(c: AuthCollection, input: OAuth2SignIn, req: RequestInfo, step: FlowStep<OAuth2Found, OAuth2Outcome>): Promise<OAuth2Outcome | undefined>;
  async signIn(c: AuthCollection, input: OAuth2SignIn, req: RequestInfo, step?: FlowStep<OAuth2Found, OAuth2Outcome>): Promise<OAuth2Outcome | undefined> {
    this.assertEnabled(c);
    const raw = providerConfig(c, input.provider);
    let provider: OAuth2Provider;
    try {
      provider = new OAuth2Provider(parseProviderConfig(raw ?? { name: input.provider }));
    } catch (err) {
      throw badRequest(FAILED, {}, err);
    }
    const tokens = await provider.exchangeCode(input.code, input.codeVerifier, input.redirectURL).catch((err: unknown) => {
      throw badRequest('Failed to fetch OAuth2 token.', {}, err);
    });
    let user = await provider.fetchUser(tokens).catch((err: unknown) => {
      throw badRequest('Failed to fetch OAuth2 user.', {}, err);
    });
    // Apple names the user only in its redirect (apple-redirect-names.ts).
    if (provider.name === 'apple' && user.name === '' && this.deps.appleNames) {
      const name = this.deps.appleNames.take(input.code);
      if (name !== '') user = { ...user, name };
    }
    let outcome: OAuth2Outcome | undefined;
    // The request hook runs before the record is found or created, as PocketBase's does.
    await runStep(step, { provider: provider.name, user, createData: input.createData }, async ({ user, createData }) => {
      outcome = await this.settleUser(c, provider.name, user, createData, req);
      return outcome;
    });
    return outcome;
  }

  private async settleUser(c: AuthCollection, provider: string, user: OAuth2User, createData: Record<string, unknown>, req: RequestInfo): Promise<OAuth2Outcome> {
    const avatar = await this.avatarForSignUp(c, provider, user, req);
    try {
      return await this.deps.records.inTransaction((scope) => this.settle(scope, c, provider, user, { data: createData, avatar }, req));
    } catch (err) {
      // As PocketBase's firstApiError: a client error of the inner writes (createRule, validation) stands.
      if (isAppError(err)) throw err;
      throw badRequest(FAILED, {}, err);
    }
  }

  /**
   * The avatar upload of a likely sign-up, fetched before the transaction opens: on
   * SQLite an open transaction holds the only connection, and a download takes seconds.
   */
  private async avatarForSignUp(c: AuthCollection, provider: string, user: OAuth2User, req: RequestInfo): Promise<PendingFile | undefined> {
    const field = c.fields.find((f) => f.name === c.oauth2.mappedFields.avatarURL);
    if (!field || field.type !== 'file' || user.avatarURL === '') return undefined;
    const link = await this.links.find(this.deps.db, c, provider, user.id);
    if (link && (await findRecord(this.deps.db, c, link.recordRef))) return undefined;
    if (await this.fallbackRecord(this.deps.db, c, user, req)) return undefined;
    return downloadAvatar(this.deps.outbound, user.avatarURL, field);
  }

  private async settle(scope: WriteScope, c: AuthCollection, provider: string, user: OAuth2User, create: SignUpData, req: RequestInfo): Promise<OAuth2Outcome> {
    const trx = scope.trx;
    let link = await this.links.find(trx, c, provider, user.id);
    let record: RecordValues | undefined;
    if (link) {
      record = await findRecord(trx, c, link.recordRef);
      // A link left behind by a deleted record no longer signs anyone in.
      if (!record) {
        await this.links.delete(scope, link.id);
        link = undefined;
      }
    }
    if (!record) record = await this.fallbackRecord(trx, c, user, req);

    const isNew = !record;
    record = record ? await this.updateExisting(scope, c, record, user, link?.id, req) : await this.createRecord(scope, c, user, create, req);
    if (!link) {
      // The record may already link another account of this provider (one link per provider).
      await this.links.create(scope, c, String(record.id), provider, user.id).catch((err: unknown) => {
        throw badRequest(FAILED, {}, err);
      });
    }
    return { record, user, isNew };
  }

  /** Without a link: the signed-in record of this collection (linking), else the one with the provider's email. */
  private async fallbackRecord(trx: Executor, c: AuthCollection, user: OAuth2User, req: RequestInfo): Promise<RecordValues | undefined> {
    if (req.auth && req.auth.collection.id === c.id) return findRecord(trx, c, String(req.auth.record.id));
    return user.email !== '' ? findByEmail(trx, c, user.email) : undefined;
  }

  private async createRecord(scope: WriteScope, c: AuthCollection, user: OAuth2User, create: SignUpData, req: RequestInfo): Promise<RecordValues> {
    if (c.name === '_superusers') throw new AppError(400, FAILED);
    const payload = signUpPayload(c, user, create);
    const created = await this.deps.records.create(c, payload, { expand: [] }, { ...req, method: 'POST', context: 'oauth2', body: payload }, scope);
    let record = (await findRecord(scope.trx, c, String(created.id)))!;
    // A new record whose address is the provider's verified one is verified (even both empty, as PocketBase).
    if (record.email === user.email && record.verified !== true) record = await this.internalUpdate(scope, c, record, { verified: true });
    return record;
  }

  private async updateExisting(scope: WriteScope, c: AuthCollection, record: RecordValues, user: OAuth2User, linkId: string | undefined, req: RequestInfo): Promise<RecordValues> {
    const isSignedIn = req.auth?.collection.id === c.id && req.auth.record.id === record.id;
    const changes: Record<string, unknown> = {};
    const email = String(record.email ?? '');
    const nextEmail = email === '' && user.email !== '' ? user.email : email;
    if (nextEmail !== email) changes.email = nextEmail;
    if (record.verified === true) return Object.keys(changes).length > 0 ? this.internalUpdate(scope, c, record, changes) : record;
    // Verified only when the provider vouches for the record's address (or neither has one).
    if (nextEmail === '' || nextEmail === user.email) changes.verified = true;
    // SECURITY: someone may have made this unverified record with the owner's address before
    // its owner (ownership-claim.ts): every other link goes, and so does the password unless the
    // record's own session asks — so an unverified record holds at most one link (as PocketBase).
    return this.ownership.claim(c, record, { changes, replacePassword: !isSignedIn, keepLinkId: linkId }, scope);
  }

  private async internalUpdate(scope: WriteScope, c: AuthCollection, record: RecordValues, body: Record<string, unknown>): Promise<RecordValues> {
    const req = guestRequest({ isSuperuser: true, method: 'PATCH', context: 'oauth2', body });
    await this.deps.records.update(c, String(record.id), body, { expand: [] }, req, scope);
    return (await findRecord(scope.trx, c, String(record.id)))!;
  }
}

/** What a sign-up creates the record from: the client's `createData` and the downloaded avatar, if any. */
export interface SignUpData {
  data: Record<string, unknown>;
  avatar?: PendingFile;
}

/**
 * The create body of an OAuth2 sign-up (docs/api.md §5.5): `createData`, the provider's
 * email unless one was submitted, the mapped fields unless submitted (the avatar
 * as a file for a file field, else as its URL), and a random password unless
 * one was submitted.
 */
export function signUpPayload(c: AuthCollection, user: OAuth2User, create: SignUpData): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...create.data };
  if (typeof payload.email !== 'string' || payload.email === '') payload.email = user.email;
  const mapped = c.oauth2.mappedFields;
  const setMapped = (fieldName: string, value: string) => {
    if (fieldName !== '' && value !== '' && !(fieldName in payload)) payload[fieldName] = value;
  };
  setMapped(mapped.id, user.id);
  setMapped(mapped.name, user.name);
  setMapped(mapped.username, user.username);
  const avatarField = c.fields.find((f) => f.name === mapped.avatarURL);
  if (avatarField && avatarField.type !== 'file') setMapped(mapped.avatarURL, user.avatarURL);
  if (avatarField && avatarField.type === 'file' && create.avatar && !(avatarField.name in payload)) payload[avatarField.name] = create.avatar;
  if (payload.password === undefined || payload.password === null || payload.password === '') {
    const password = randomString(30);
    payload.password = password;
    payload.passwordConfirm = password;
  }
  return payload;
}
