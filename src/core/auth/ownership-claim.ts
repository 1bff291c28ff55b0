/**
 * Pre-account takeover, closed at the one moment it can be: someone may sign up
 * with another person's address and a password, or link their own OAuth2
 * account to that unverified record, and wait for the owner to adopt it. When
 * the owner proves the address (a verification link, a password-reset link, an
 * OTP mailed to it, an OAuth2 provider's verified email), whatever was attached
 * to the record before stops working.
 */
import type { AuthCollection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import type { WriteScope } from '../records/write-scope.js';
import { guestRequest } from '../rules/request-info.js';
import { randomId } from '../../tools/ids.js';
import { ExternalAuths } from './oauth2/external-auths.js';

/** One step that hands an unverified record to the person who just proved the address. */
export interface OwnershipClaim {
  /** The step's own changes (`verified: true`, the owner's new password, a filled email). */
  changes: Record<string, unknown>;
  /**
   * Whether the password is replaced by a random one: yes when nobody proved to have chosen
   * it and the owner does not need it; no when the owner sets it in this very step.
   */
  replacePassword: boolean;
  /** The link that carried the proof (an OAuth2 sign-in), which stays. */
  keepLinkId?: string;
}

/** OwnershipClaims applies claims: links dropped, the password replaced, sessions ended. */
export class OwnershipClaims {
  private readonly links: ExternalAuths;

  constructor(private readonly deps: { schema: Schema; records: RecordService }) {
    this.links = new ExternalAuths(deps);
  }

  /**
   * Applies `claim` to the unverified `record` in `scope` (or a transaction of its own):
   * deletes every `_externalAuths` link of the record but `keepLinkId` — each was made
   * while nobody had proved the address — replaces the password when the claim says so,
   * and rotates the tokenKey whenever a link went or the password changed, so that every
   * token issued before (the squatter's sessions, refreshable forever) stops working.
   * Returns the record as saved.
   */
  async claim(c: AuthCollection, record: RecordValues, claim: OwnershipClaim, scope?: WriteScope): Promise<RecordValues> {
    if (!scope) return this.deps.records.inTransaction((s) => this.claim(c, record, claim, s));
    const id = String(record.id);
    const body: Record<string, unknown> = { ...claim.changes };
    if (claim.replacePassword) {
      const password = randomId(30);
      Object.assign(body, { password, passwordConfirm: password });
    }
    const dropped = await this.links.deleteAllOf(scope, c, id, claim.keepLinkId);
    // A password change rotates the tokenKey by itself (record-service.ts).
    if (dropped > 0 && body.password === undefined) body.tokenKey = randomId(50);
    if (Object.keys(body).length === 0) return record;
    const req = guestRequest({ isSuperuser: true, method: 'PATCH', body });
    await this.deps.records.update(c, id, body, { expand: [] }, req, scope);
    return (await findRecord(scope.trx, c, id))!;
  }
}
