/**
 * Multi-factor authentication (docs/api.md §5.4): the first successful sign-in of a
 * record that needs MFA opens an `_mfas` session and answers `401 {"mfaId"}`;
 * a sign-in with a different method that names the session completes it.
 */
import type { Db } from '../../db/database.js';
import { badRequest, isAppError } from '../../errors/app-error.js';
import { RawBodyError } from '../../errors/raw-body-error.js';
import { formatDateTime } from '../../tools/datetime.js';
import type { AuthCollection, Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordAccess } from '../records/record-access.js';
import type { RecordService } from '../records/record-service.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import { guestRequest, type RequestInfo } from '../rules/request-info.js';

/** The sign-in methods that count as MFA factors. */
export type AuthMethod = 'password' | 'otp' | 'oauth2';

/** The system collection of MFA sessions. */
export const MFAS = '_mfas';

/** MfaService opens, checks and closes MFA sessions. */
export class MfaService {
  constructor(private readonly deps: { db: Db; schema: Schema; records: RecordService; access: RecordAccess }) {}

  /**
   * Applies MFA to a record that just passed one factor. Returns null when MFA does
   * not apply, the id of the session to close after the token is issued when this
   * factor completes one, and throws the `401 {"mfaId"}` challenge when it opens one.
   */
  async check(c: AuthCollection, record: RecordValues, method: AuthMethod, req: RequestInfo, mfaId: string | undefined): Promise<string | null> {
    if (!(await this.requires(c, record, req))) return null;
    const mfas = this.collection();
    if (!mfaId) {
      const created = await this.deps.records.create(mfas, { collectionRef: c.id, recordRef: record.id, method }, { expand: [] }, internalRequest());
      throw new RawBodyError(401, 'MFA required.', { mfaId: created.id });
    }
    const session = await findRecord(this.deps.db, mfas, mfaId);
    if (!session) throw badRequest('Invalid or expired MFA session.');
    const oldest = formatDateTime(new Date(Date.now() - c.mfa.duration * 1000));
    if (String(session.created) < oldest) {
      await this.close(mfaId);
      throw badRequest('Invalid or expired MFA session.');
    }
    if (session.recordRef !== record.id || session.collectionRef !== c.id) throw badRequest('Invalid MFA session.');
    if (session.method === method) throw badRequest('A different authentication method is required.');
    return mfaId;
  }

  /** Deletes a completed or expired session. */
  async close(mfaId: string): Promise<void> {
    try {
      await this.deps.records.delete(this.collection(), mfaId, { ...internalRequest(), method: 'DELETE' });
    } catch (err) {
      // A concurrent sign-in may have closed it first; that is the outcome we want.
      if (!(isAppError(err) && err.status === 404)) throw err;
    }
  }

  /**
   * Whether a sign-in of `record` needs a second factor: MFA is on and `mfa.rule` selects
   * the record, the rule seeing the record as the signed-in one (docs/api.md §2.2).
   */
  async requires(c: AuthCollection, record: RecordValues, req: RequestInfo): Promise<boolean> {
    if (!c.mfa.enabled) return false;
    if (c.mfa.rule === '') return true;
    const asRecord: RequestInfo = { ...req, auth: { collection: c, record }, isSuperuser: false };
    return this.deps.access.allows(this.deps.db, c, c.mfa.rule, String(record.id), asRecord);
  }

  private collection(): Collection {
    const c = this.deps.schema.find(MFAS);
    if (!c) throw new Error('the _mfas system collection is missing');
    return c;
  }
}

/** The request of the server's own writes to system collections: a superuser's, so rules and hidden fields do not stand in the way. */
export function internalRequest(): RequestInfo {
  return guestRequest({ isSuperuser: true, method: 'POST' });
}
