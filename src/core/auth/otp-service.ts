/**
 * One-time passwords (docs/api.md §5.6): request-otp mails an `otp.length`-digit code
 * stored hashed in `_otps`; auth-with-otp trades it for a token, at most five
 * tries per record in 180 seconds.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { AppError, badRequest, forbidden, isAppError, type ErrorData } from '../../errors/app-error.js';
import { randomId } from '../../tools/ids.js';
import { formatDateTime } from '../../tools/datetime.js';
import type { AuthCollection, Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { AttemptLimiter } from './attempt-limiter.js';
import type { AuthMails } from './auth-mails.js';
import { findAuthRecordByEmail } from './auth-records.js';
import type { AuthResult, AuthService } from './auth-service.js';
import { assertValidForm, requiredEmail, requiredString } from './auth-form.js';
import { internalRequest } from './mfa-service.js';
import { checkPassword, hashPassword } from './password-hash.js';
import { OwnershipClaims } from './ownership-claim.js';
import { runStep, type FlowStep } from './flow-step.js';

/** What request-otp hands its request hook: the record of the address (null when none) and the code. */
export interface OtpRequest {
  record: RecordValues | null;
  password: string;
}

/** A correct, unexpired code and the record it signs in. */
export interface OtpMatch {
  otp: RecordValues;
  record: RecordValues;
}

/** The system collection of one-time passwords. */
export const OTPS = '_otps';

/** Tries of auth-with-otp allowed per record and window (docs/api.md §1.9, §5.6). */
const MAX_ATTEMPTS = 5;
const ATTEMPT_WINDOW_SECONDS = 180;
/** Unexpired OTPs a record may hold; a new one past this replaces the oldest. */
const MAX_LIVE_OTPS = 9;

/** What the OtpService needs. */
export interface OtpServiceDeps {
  db: Db;
  schema: Schema;
  records: RecordService;
  auth: AuthService;
  mails: AuthMails;
  limiter: AttemptLimiter;
  background: (what: string, task: () => Promise<void>) => void;
}

/** OtpService issues and redeems one-time passwords. */
export class OtpService {
  private readonly ownership: OwnershipClaims;

  constructor(private readonly deps: OtpServiceDeps) {
    this.ownership = new OwnershipClaims(deps);
  }

  /**
   * Creates and mails an OTP; always answers a fresh id. SECURITY: an unknown address
   * costs the same hash and gets a random id, so the answer reveals nothing.
   */
  async request(c: AuthCollection, body: Record<string, unknown>, step?: FlowStep<OtpRequest>): Promise<{ otpId: string }> {
    assertOtpEnabled(c);
    const errors: ErrorData = {};
    const email = requiredEmail(body, 'email', errors);
    assertValidForm(errors);
    const found = await findAuthRecordByEmail(this.deps.db, c, email);
    let answer: { otpId: string } = { otpId: '' };
    // The request hook sees the unknown address too (record null), as PocketBase's does.
    await runStep(step, { record: found ?? null, password: randomDigits(c.otp.length) }, async ({ record, password }) => {
      answer = await this.issue(c, record, password);
    });
    return answer;
  }

  /** Stores the hashed code and mails it; an unknown address gets a random id after the same hashing. */
  private async issue(c: AuthCollection, record: RecordValues | null, code: string): Promise<{ otpId: string }> {
    const hash = await hashPassword(code);
    if (!record) return { otpId: randomId(15) };
    // SECURITY: PocketBase hands the newest id out again past its cap (docs/api.md §5.6), which
    // tells a known address (a repeated id) from an unknown one (always a new id). Here the
    // oldest codes make room instead: the live codes stay capped, every answer is new.
    const live = await this.liveOtpIds(c, record);
    for (const id of live.slice(0, Math.max(0, live.length - MAX_LIVE_OTPS + 1))) await this.deleteOtp(this.collection(), id);
    const sentTo = String(record.email);
    const created = await this.deps.records.create(this.collection(), { collectionRef: c.id, recordRef: record.id, password: hash, sentTo }, { expand: [] }, internalRequest());
    const otpId = String(created.id);
    this.deps.background('OTP mail', () => this.deps.mails.otp(c, record, sentTo, otpId, code));
    return { otpId };
  }

  /**
   * Signs in with an OTP (docs/api.md §5.6): a correct, unexpired code of this collection
   * completes the sign-in (authRule, MFA) and is then deleted.
   */
  async authWithOtp(c: AuthCollection, body: Record<string, unknown>, req: RequestInfo, mfaId?: string): Promise<AuthResult> {
    return this.finishOtp(c, await this.matchOtp(c, body), req, mfaId);
  }

  /** The OTP and record of a correct, unexpired code of this collection; 400 (429 past the tries) otherwise. */
  async matchOtp(c: AuthCollection, body: Record<string, unknown>): Promise<OtpMatch> {
    assertOtpEnabled(c);
    const errors: ErrorData = {};
    const otpId = requiredString(body, 'otpId', errors);
    const password = requiredString(body, 'password', errors);
    assertValidForm(errors);
    const invalid = () => badRequest('Invalid or expired OTP.');
    const otps = this.collection();
    const otp = await findRecord(this.deps.db, otps, otpId);
    if (!otp || otp.collectionRef !== c.id) {
      await checkPassword(undefined, password);
      throw invalid();
    }
    // SECURITY: counted before the check, so a correct guess after the fifth try still fails.
    if (!(await this.deps.limiter.take(`otp:${c.id}:${String(otp.recordRef)}`, MAX_ATTEMPTS, ATTEMPT_WINDOW_SECONDS))) {
      throw new AppError(429, 'Too Many Requests.');
    }
    const check = await checkPassword(String(otp.password), password);
    if (!check.ok || String(otp.created) < this.oldestLive(c)) throw invalid();
    const record = await findRecord(this.deps.db, c, String(otp.recordRef));
    if (!record) throw invalid();
    return { otp, record };
  }

  /** Completes the sign-in of a matched code (verifying the address it was sent to) and deletes the code. */
  async finishOtp(c: AuthCollection, match: OtpMatch, req: RequestInfo, mfaId?: string): Promise<AuthResult> {
    const { otp } = match;
    let record = match.record;
    if (record.verified !== true && otp.sentTo !== '' && otp.sentTo === record.email) {
      record = await this.markVerified(c, record, { ...req, context: 'otp' });
    }
    const result = await this.deps.auth.completeAuth(c, record, 'otp', { ...req, context: 'otp' }, mfaId);
    await this.deleteOtp(this.collection(), String(otp.id));
    return result;
  }

  /**
   * Marks a record verified by a code mailed to its address, ending what was attached
   * before (ownership-claim.ts). Unless MFA applies to the record its password is also
   * replaced by a random one: whoever signed up with someone else's address must not keep
   * a password to that now-verified account (docs/api.md §5.6). Under MFA the password is a
   * factor the owner may need, and alone it no longer signs anyone in.
   * SECURITY: PocketBase keeps the password whenever MFA is enabled; here it goes too when
   * `mfa.rule` does not select the record, since then the password alone signs in.
   */
  private async markVerified(c: AuthCollection, record: RecordValues, req: RequestInfo): Promise<RecordValues> {
    const needsMfa = await this.deps.auth.requiresMfa(c, record, req);
    return this.ownership.claim(c, record, { changes: { verified: true }, replacePassword: !needsMfa });
  }

  private async liveOtpIds(c: AuthCollection, record: RecordValues): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(OTPS)}
      WHERE ${sql.ref('collectionRef')} = ${c.id} AND ${sql.ref('recordRef')} = ${String(record.id)} AND ${sql.ref('created')} >= ${this.oldestLive(c)}
      ORDER BY ${sql.ref('created')} ASC, ${sql.ref('id')} ASC`.execute(this.deps.db);
    return rows.map((r) => r.id);
  }

  /** The creation time before which an OTP of `c` has expired. */
  private oldestLive(c: AuthCollection): string {
    return formatDateTime(new Date(Date.now() - c.otp.duration * 1000));
  }

  private async deleteOtp(otps: Collection, id: string): Promise<void> {
    try {
      await this.deps.records.delete(otps, id, { ...internalRequest(), method: 'DELETE' });
    } catch (err) {
      // A concurrent sign-in with the same code deleted it first.
      if (!(isAppError(err) && err.status === 404)) throw err;
    }
  }

  private collection(): Collection {
    const c = this.deps.schema.find(OTPS);
    if (!c) throw new Error('the _otps system collection is missing');
    return c;
  }
}

function assertOtpEnabled(c: AuthCollection): void {
  if (!c.otp.enabled) throw forbidden('The collection is not configured to allow OTP authentication.');
}

/** `length` random decimal digits from the CSPRNG. */
function randomDigits(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}
