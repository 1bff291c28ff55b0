/**
 * Email verification, password reset and email change (docs/api.md §5.8). Requests
 * answer alike for known and unknown addresses: the lookup is the only work done
 * before the answer, the token and the mail are made in the background.
 */
import type { Db } from '../../db/database.js';
import { AppError, badRequest, forbidden, isAppError, type ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import type { AuthCollection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import type { RecordValues } from '../records/record-store.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { AuthMails } from './auth-mails.js';
import { findAuthRecordByEmail, findRecordByToken } from './auth-records.js';
import { assertValidForm, requiredEmail, requiredString } from './auth-form.js';
import { peekClaims, signRecordToken } from './auth-token.js';
import { internalRequest } from './mfa-service.js';
import { checkPassword } from './password-hash.js';
import { OwnershipClaims, type OwnershipClaim } from './ownership-claim.js';
import { SUPERUSERS } from './auth-service.js';
import { runStep, type FlowStep } from './flow-step.js';

/** What the email change flows hand their request hooks: the record and the new address. */
export interface EmailChange {
  record: RecordValues;
  newEmail: string;
}

/** How long a repeated verification or reset request stays silent (docs/api.md §5.8). */
const RESEND_WINDOW_SECONDS = 120;

/** The name of the background task that mails each kind of link (what a failure is logged as). */
const MAIL_TASKS = { verification: 'verification mail', passwordReset: 'password reset mail' } as const;

/** What the flows need. */
export interface AuthFlowsDeps {
  db: Db;
  schema: Schema;
  records: RecordService;
  mails: AuthMails;
  limiter: AttemptLimiter;
  /** Runs work after the answer was sent; its failure is logged, never shown. */
  background: (what: string, task: () => Promise<void>) => void;
}

/** AuthFlows runs the request-* and confirm-* endpoints of docs/api.md §5.8. */
export class AuthFlows {
  private readonly ownership: OwnershipClaims;

  constructor(private readonly deps: AuthFlowsDeps) {
    this.ownership = new OwnershipClaims(deps);
  }

  /** Sends a verification mail to an unverified record; silent otherwise. */
  async requestVerification(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<RecordValues>): Promise<void> {
    if (c.name === SUPERUSERS) throw badRequest('All superusers are verified by default.');
    const errors: ErrorData = {};
    const email = requiredEmail(body, 'email', errors);
    assertValidForm(errors);
    const record = await findAuthRecordByEmail(this.deps.db, c, email);
    if (!record || record.verified === true) return;
    await this.mailLink(c, record, 'verification', step, (token, record) => this.deps.mails.verification(c, record, token));
  }

  /** Marks the token's record verified (docs/api.md §5.8). */
  async confirmVerification(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<RecordValues>): Promise<void> {
    const errors: ErrorData = {};
    const token = requiredString(body, 'token', errors, 1, Number.MAX_SAFE_INTEGER);
    let record: RecordValues | undefined;
    if (!errors.token) {
      const email = peekClaims(token)?.email;
      const found = email ? await findRecordByToken(this.deps.db, this.deps.schema, token, 'verification') : null;
      if (!email) errors.token = codeError('validation_invalid_token_claims');
      else if (!found) errors.token = codeError('validation_invalid_token', undefined, 'Invalid or expired verification token.');
      else if (found.collection.id !== c.id) errors.token = codeError('validation_token_collection_mismatch', undefined, 'The provided verification token is for different auth collection.');
      else if (found.record.email !== email) errors.token = codeError('validation_token_email_mismatch');
      else record = found.record;
    }
    assertValidForm(errors);
    await runStep(step, record!, async (record) => {
      if (record.verified === true) return;
      // SECURITY: the first proof of the address ends what was attached before (ownership-claim.ts).
      // The password stays while password sign-in is on — the owner usually chose it at sign-up —
      // and is replaced when it is off, so that enabling it later revives nobody's (as PocketBase).
      const claim = { changes: { verified: true }, replacePassword: !c.passwordAuth.enabled };
      await this.claim(c, record, claim, 'Failed to confirm verification.');
    });
  }

  /** Sends a password-reset mail; silent for unknown addresses and repeats (docs/api.md §5.8). */
  async requestPasswordReset(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<RecordValues>): Promise<void> {
    this.assertPasswordAuth(c);
    const errors: ErrorData = {};
    const email = requiredEmail(body, 'email', errors);
    assertValidForm(errors);
    const record = await findAuthRecordByEmail(this.deps.db, c, email);
    if (!record) return;
    await this.mailLink(c, record, 'passwordReset', step, (token, record) => this.deps.mails.passwordReset(c, record, token));
  }

  /**
   * Sets a new password from a reset token (docs/api.md §5.8); the tokenKey rotates with it,
   * and the record becomes verified when the token was mailed to its current address.
   */
  async confirmPasswordReset(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<RecordValues>): Promise<void> {
    this.assertPasswordAuth(c);
    const errors: ErrorData = {};
    const token = requiredString(body, 'token', errors, 1, Number.MAX_SAFE_INTEGER);
    const min = Math.max(1, Number(c.fields.find((f) => f.name === 'password')?.min ?? 0) || 0);
    const password = requiredString(body, 'password', errors, min, 255);
    const confirm = requiredString(body, 'passwordConfirm', errors, 1, 255);
    if (!errors.passwordConfirm && confirm !== password) errors.passwordConfirm = codeError('validation_values_mismatch');
    let found = null;
    if (!errors.token) {
      found = await findRecordByToken(this.deps.db, this.deps.schema, token, 'passwordReset');
      if (!found) errors.token = codeError('validation_invalid_token', undefined, 'Invalid or expired password reset token.');
      else if (found.collection.id !== c.id) errors.token = codeError('validation_token_collection_mismatch', undefined, 'The provided password reset token is for different auth collection.');
    }
    assertValidForm(errors);
    const { claims } = found!;
    await runStep(step, found!.record, async (record) => {
      const changes: Record<string, unknown> = { password, passwordConfirm: password };
      if (record.verified === true || claims.email !== record.email) return this.save(c, record, changes, 'Failed to set new password.');
      // SECURITY: the first proof of the address ends what was attached before (ownership-claim.ts);
      // the owner sets the password in this very step.
      await this.claim(c, record, { changes: { ...changes, verified: true }, replacePassword: false }, 'Failed to set new password.');
    });
  }

  /** Mails a confirmation link to the new address of the signed-in record (docs/api.md §5.8). */
  async requestEmailChange(c: AuthCollection, body: Record<string, unknown>, req: RequestInfo, step?: FlowStep<EmailChange>): Promise<void> {
    const record = assertOwnAuth(c, req);
    if (c.name === SUPERUSERS) throw badRequest('All superusers can change their emails directly.');
    const errors: ErrorData = {};
    const newEmail = requiredEmail(body, 'newEmail', errors);
    if (!errors.newEmail && newEmail === record.email) errors.newEmail = codeError('validation_not_in_invalid');
    if (!errors.newEmail) {
      const other = await findAuthRecordByEmail(this.deps.db, c, newEmail);
      if (other && other.id !== record.id) errors.newEmail = codeError('validation_invalid_new_email');
    }
    assertValidForm(errors);
    await runStep(step, { record, newEmail }, async ({ record, newEmail }) => {
      const claims = { id: String(record.id), type: 'emailChange' as const, collectionId: c.id, email: String(record.email), newEmail };
      const token = await signRecordToken(c, String(record.tokenKey), claims);
      try {
        await this.deps.mails.emailChange(c, record, newEmail, token);
      } catch (err) {
        throw badRequest('Failed to request email change.', {}, err);
      }
    });
  }

  /** Sets the new email and marks it verified; needs the record's password (docs/api.md §5.8). */
  async confirmEmailChange(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<EmailChange>): Promise<void> {
    const errors: ErrorData = {};
    const token = requiredString(body, 'token', errors, 1, Number.MAX_SAFE_INTEGER);
    const password = requiredString(body, 'password', errors);
    let found = null;
    if (!errors.token) {
      // SECURITY: the signature is checked before any claim is read: a forged token's
      // `newEmail` must not learn whether that address has an account (docs/api.md §5.8).
      found = await findRecordByToken(this.deps.db, this.deps.schema, token, 'emailChange');
      const newEmail = found?.claims.newEmail;
      if (!found) errors.token = codeError('validation_invalid_token');
      else if (found.collection.id !== c.id) errors.token = codeError('validation_token_collection_mismatch');
      else if (typeof newEmail !== 'string' || newEmail === '') errors.token = codeError('validation_invalid_token_payload');
      else if (await findAuthRecordByEmail(this.deps.db, c, newEmail)) errors.token = codeError('validation_invalid_token_email');
    }
    // SECURITY: the password is checked only against the record of a valid token, and
    // costs one hash either way.
    if (!errors.password) {
      const check = await checkPassword(found && !errors.token ? String(found.record.password) : undefined, password);
      if (!check.ok) errors.password = codeError('validation_invalid_password');
    }
    assertValidForm(errors);
    const { record, claims } = found!;
    await runStep(step, { record, newEmail: String(claims.newEmail) }, async ({ record, newEmail }) => {
      await this.save(c, record, { email: newEmail, verified: true }, 'Failed to confirm email change.');
    });
  }

  /**
   * Mails `record` a link with a token of `type` (through `send`, in the background) once
   * its request hook let it, unless one went out within the resend window.
   */
  private async mailLink(
    c: AuthCollection, record: RecordValues, type: 'verification' | 'passwordReset', step: FlowStep<RecordValues> | undefined,
    send: (token: string, record: RecordValues) => Promise<void>,
  ): Promise<void> {
    if (!(await this.deps.limiter.take(`${type}:${c.id}:${String(record.id)}`, 1, RESEND_WINDOW_SECONDS))) return;
    await runStep(step, record, async (record) => {
      this.deps.background(MAIL_TASKS[type], async () => {
        const token = await signRecordToken(c, String(record.tokenKey), { id: String(record.id), type, collectionId: c.id, email: String(record.email) });
        await send(token, record);
      });
    });
  }

  private assertPasswordAuth(c: AuthCollection): void {
    if (!c.passwordAuth.enabled) throw badRequest('The collection is not configured to allow password authentication.');
  }

  /** Saves changes through the record pipeline (validation, tokenKey rotation, events). */
  private async save(c: AuthCollection, record: RecordValues, changes: Record<string, unknown>, message: string): Promise<void> {
    await refusedAs(message, () => this.deps.records.update(c, String(record.id), changes, { expand: [] }, { ...internalRequest(), method: 'PATCH' }));
  }

  /** Hands an unverified record to the owner who just proved its address (ownership-claim.ts). */
  private async claim(c: AuthCollection, record: RecordValues, claim: OwnershipClaim, message: string): Promise<void> {
    await refusedAs(message, () => this.ownership.claim(c, record, claim));
  }
}

/** Runs a write whose 400 is answered with `message` and the write's field errors. */
async function refusedAs(message: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (isAppError(err) && err.status === 400) throw badRequest(message, err.data, err);
    throw err;
  }
}

/** The signed-in record of a request that must be authenticated in `c` (401/403 otherwise). */
export function assertOwnAuth(c: AuthCollection, req: RequestInfo): RecordValues {
  if (!req.auth) throw new AppError(401, 'The request requires valid record authorization token.');
  if (req.auth.collection.id !== c.id) throw forbidden(`The request requires auth record from ${c.name} collection.`);
  return req.auth.record;
}
