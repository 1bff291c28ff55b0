/**
 * The first-run installer (docs/security.md, "First-run install link"): while no
 * superuser exists, a temporary installer superuser holds a 30-minute auth token that
 * may only create the first real superuser; creating one removes the installer. The
 * same scheme as PocketBase's (`__pbinstaller@example.com`), so its dashboard flow fits.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AuthCollection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import type { AuthInfo } from '../rules/request-info.js';
import { guestRequest } from '../rules/request-info.js';
import { SUPERUSERS } from './auth-service.js';
import { signRecordToken } from './auth-token.js';
import { INSTALLER_EMAIL } from './installer-email.js';

export { INSTALLER_EMAIL } from './installer-email.js';

/** How long an install link works. */
export const INSTALL_TOKEN_SECONDS = 30 * 60;

/** Whether the signed-in record is the installer superuser. */
export function isInstaller(auth: AuthInfo | null): boolean {
  return auth !== null && auth.collection.name === SUPERUSERS && auth.record.email === INSTALLER_EMAIL;
}

/** A SuperuserInstaller hands out the install token and cleans up after the first superuser. */
export interface SuperuserInstaller {
  /**
   * A fresh install token when no real superuser exists (creating the installer when it
   * is missing), else null (removing a stale installer).
   */
  installToken(): Promise<string | null>;
  /** Whether a superuser other than the installer exists. */
  hasSuperuser(): Promise<boolean>;
  /** Removes the installer superuser when it exists. */
  removeInstaller(): Promise<void>;
}

/** Builds the SuperuserInstaller over the record service. */
export function createSuperuserInstaller(deps: { db: Db; schema: Schema; records: RecordService }): SuperuserInstaller {
  const asSuperuser = guestRequest({ isSuperuser: true, method: 'POST' });
  const collection = () => deps.schema.find(SUPERUSERS) as AuthCollection;
  const findInstaller = async (): Promise<RecordValues | undefined> => {
    const { rows } = await sql<{ id: string }>`SELECT id FROM ${sql.table(SUPERUSERS)} WHERE email = ${INSTALLER_EMAIL}`.execute(deps.db);
    return rows[0] ? findRecord(deps.db, collection(), rows[0].id) : undefined;
  };
  const createInstaller = async (): Promise<RecordValues> => {
    // SECURITY: a random password nobody sees; the installer is reachable only through the token.
    const password = randomBytes(32).toString('base64url');
    try {
      await deps.records.create(collection(), { email: INSTALLER_EMAIL, password, passwordConfirm: password, verified: true }, { expand: [] }, asSuperuser);
    } catch (err) {
      // Another node created it at the same moment (unique email): use theirs.
      const theirs = await findInstaller();
      if (theirs) return theirs;
      throw err;
    }
    return (await findInstaller())!;
  };
  const installer: SuperuserInstaller = {
    async installToken() {
      if (await installer.hasSuperuser()) {
        await installer.removeInstaller();
        return null;
      }
      const record = (await findInstaller()) ?? (await createInstaller());
      const c = collection();
      return signRecordToken(c, String(record.tokenKey), { id: String(record.id), type: 'auth', collectionId: c.id, refreshable: false }, INSTALL_TOKEN_SECONDS);
    },
    async hasSuperuser() {
      const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(SUPERUSERS)} WHERE email <> ${INSTALLER_EMAIL}`.execute(deps.db);
      return Number(rows[0]?.n ?? 0) > 0;
    },
    async removeInstaller() {
      const record = await findInstaller();
      if (record) await deps.records.delete(collection(), String(record.id), { ...asSuperuser, method: 'DELETE' }).catch(async (err: unknown) => {
        // Removed by another node meanwhile: done.
        if (await findInstaller()) throw err;
      });
    },
  };
  return installer;
}
