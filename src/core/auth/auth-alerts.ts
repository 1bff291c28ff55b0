/**
 * New-location sign-in alerts (docs/api.md §5.1, `authAlert`): each sign-in's origin
 * (client IP and user agent) is remembered in `_authOrigins`; a sign-in from an
 * origin not seen before mails the record, except on its very first sign-in.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AuthCollection, Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import type { RecordValues } from '../records/record-store.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { AuthMails } from './auth-mails.js';
import { internalRequest } from './mfa-service.js';

/** The system collection of known sign-in origins. */
export const AUTH_ORIGINS = '_authOrigins';

/** AuthAlerts records sign-in origins and mails alerts for new ones. */
export class AuthAlerts {
  constructor(private readonly deps: {
    db: Db;
    schema: Schema;
    records: RecordService;
    mails: AuthMails;
    background: (what: string, task: () => Promise<void>) => void;
  }) {}

  /** Notes the origin of a completed sign-in; alerts by mail when it is new and not the first. */
  async signedIn(c: AuthCollection, record: RecordValues, req: RequestInfo): Promise<void> {
    if (!c.authAlert.enabled) return;
    const userAgent = (req.headers.user_agent ?? '').slice(0, 300);
    const ip = req.ip ?? '';
    const fingerprint = createHash('sha256').update(`${ip}\n${userAgent}`).digest('hex');
    const origins = this.collection();
    const rows = await this.originsOf(c, record);
    const known = rows.find((r) => r.fingerprint === fingerprint);
    if (known) {
      // Touching the row refreshes `updated`: when this origin was last seen.
      await this.deps.records.update(origins, known.id, {}, { expand: [] }, { ...internalRequest(), method: 'PATCH' });
      return;
    }
    try {
      await this.deps.records.create(origins, { collectionRef: c.id, recordRef: record.id, fingerprint }, { expand: [] }, internalRequest());
    } catch (err) {
      // NOTE: sign-ins arriving together from one new origin race to record it; the
      // unique index lets one win, and the others (whose password was right) go on
      // without a second row or a second mail.
      if ((await this.originsOf(c, record)).some((r) => r.fingerprint === fingerprint)) return;
      throw err;
    }
    if (rows.length === 0 || !record.email) return;
    const info = userAgent ? `${ip} ${userAgent}` : ip;
    this.deps.background('auth alert mail', () => this.deps.mails.authAlert(c, record, info));
  }

  private async originsOf(c: AuthCollection, record: RecordValues): Promise<Array<{ id: string; fingerprint: string }>> {
    const { rows } = await sql<{ id: string; fingerprint: string }>`SELECT ${sql.ref('id')} AS id, ${sql.ref('fingerprint')} AS fingerprint
      FROM ${sql.table(AUTH_ORIGINS)} WHERE ${sql.ref('collectionRef')} = ${c.id} AND ${sql.ref('recordRef')} = ${String(record.id)}`.execute(this.deps.db);
    return rows;
  }

  private collection(): Collection {
    const c = this.deps.schema.find(AUTH_ORIGINS);
    if (!c) throw new Error('the _authOrigins system collection is missing');
    return c;
  }
}
