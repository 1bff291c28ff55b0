/**
 * The `_externalAuths` links between auth records and provider accounts
 * (docs/api.md §2.4, §5.5). Links are written through the RecordService so their
 * creation and deletion reach record events (realtime) like any other write.
 */
import { sql } from 'kysely';
import type { Executor } from '../../../db/database.js';
import type { AuthCollection, Collection } from '../../collections/collection.js';
import type { Schema } from '../../collections/schema.js';
import type { RecordService } from '../../records/record-service.js';
import { findRecord, type RecordValues } from '../../records/record-store.js';
import type { WriteScope } from '../../records/write-scope.js';
import { guestRequest, type RequestInfo } from '../../rules/request-info.js';

/** The system collection holding the links. */
export const EXTERNAL_AUTHS = '_externalAuths';

/** One stored link. */
export interface ExternalAuthLink {
  id: string;
  recordRef: string;
}

// SECURITY: links are system rows; only the server writes them, with superuser rights.
const internal: RequestInfo = guestRequest({ isSuperuser: true, method: 'POST', context: 'oauth2' });

/** ExternalAuths reads and writes the links of one auth collection. */
export class ExternalAuths {
  constructor(private readonly deps: { schema: Schema; records: RecordService }) {}

  /** The link of a provider account to a record of `c`, or undefined. */
  async find(exec: Executor, c: AuthCollection, provider: string, providerId: string): Promise<ExternalAuthLink | undefined> {
    const { rows } = await sql<ExternalAuthLink>`SELECT ${sql.ref('id')} AS id, ${sql.ref('recordRef')} AS ${sql.ref('recordRef')}
      FROM ${sql.table(EXTERNAL_AUTHS)}
      WHERE ${sql.ref('collectionRef')} = ${c.id} AND ${sql.ref('provider')} = ${provider} AND ${sql.ref('providerId')} = ${providerId}
      LIMIT 1`.execute(exec);
    return rows[0];
  }

  /** Stores a new link. */
  async create(scope: WriteScope, c: AuthCollection, recordId: string, provider: string, providerId: string): Promise<void> {
    const body = { collectionRef: c.id, recordRef: recordId, provider, providerId };
    await this.deps.records.create(this.collection(), body, { expand: [] }, { ...internal, body }, scope);
  }

  /** Deletes one link by id. */
  async delete(scope: WriteScope, id: string): Promise<void> {
    await this.deps.records.delete(this.collection(), id, { ...internal, method: 'DELETE' }, scope);
  }

  /** Deletes every link of a record but `exceptId`; returns how many went. */
  async deleteAllOf(scope: WriteScope, c: AuthCollection, recordId: string, exceptId?: string): Promise<number> {
    const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(EXTERNAL_AUTHS)}
      WHERE ${sql.ref('collectionRef')} = ${c.id} AND ${sql.ref('recordRef')} = ${recordId}`.execute(scope.trx);
    const doomed = rows.filter((row) => row.id !== exceptId);
    for (const row of doomed) await this.delete(scope, row.id);
    return doomed.length;
  }

  private collection(): Collection {
    const c = this.deps.schema.find(EXTERNAL_AUTHS);
    if (!c) throw new Error(`the ${EXTERNAL_AUTHS} system collection is missing`);
    return c;
  }
}

/** The record of `c` whose email equals `email` case-insensitively, or undefined. */
export async function findByEmail(exec: Executor, c: AuthCollection, email: string): Promise<RecordValues | undefined> {
  const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(c.name)}
    WHERE lower(${sql.ref('email')}) = lower(${email}) LIMIT 1`.execute(exec);
  return rows[0] ? findRecord(exec, c, rows[0].id) : undefined;
}
