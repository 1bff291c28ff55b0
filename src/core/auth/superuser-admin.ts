/**
 * Command-line management of superusers, through the same record pipeline as
 * the API (validation, hashing, the last-superuser guard).
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { badRequest, notFound } from '../../errors/app-error.js';
import type { Schema } from '../collections/schema.js';
import type { RecordService } from '../records/record-service.js';
import { guestRequest } from '../rules/request-info.js';
import { SUPERUSERS } from './auth-service.js';
import { INSTALLER_EMAIL } from './installer-email.js';
import { codeError } from '../../errors/code-error.js';

/** SuperuserAdmin manages `_superusers` records from the command line. */
export interface SuperuserAdmin {
  /** Creates the superuser, or sets its password when it exists. */
  upsert(email: string, password: string): Promise<void>;
  /** Creates a superuser; a 400-class AppError when the email is taken or invalid. */
  create(email: string, password: string): Promise<void>;
  /** Sets the password of an existing superuser; a 404 AppError when there is none. */
  update(email: string, password: string): Promise<void>;
  /** Deletes a superuser; a 404 AppError when there is none. */
  delete(email: string): Promise<void>;
  /** How many superusers exist, the first-run installer not counted (docs/security.md). */
  count(): Promise<number>;
}

/** Builds the SuperuserAdmin over the record service. */
export function createSuperuserAdmin(deps: { db: Db; schema: Schema; records: RecordService }): SuperuserAdmin {
  const asSuperuser = guestRequest({ isSuperuser: true, method: 'POST' });
  const collection = () => deps.schema.find(SUPERUSERS)!;
  const findId = async (email: string): Promise<string | undefined> => {
    const { rows } = await sql<{ id: string }>`SELECT id FROM ${sql.table(SUPERUSERS)} WHERE lower(email) = lower(${email})`.execute(deps.db);
    return rows[0]?.id;
  };
  const setPassword = async (id: string, password: string) => {
    await deps.records.update(collection(), id, { password, passwordConfirm: password }, { expand: [] }, { ...asSuperuser, method: 'PATCH' });
  };
  return {
    async upsert(email, password) {
      const id = await findId(email);
      if (id) await setPassword(id, password);
      else await this.create(email, password);
    },
    async create(email, password) {
      if (await findId(email)) throw badRequest('Failed to create record.', { email: codeError('validation_not_unique') });
      await deps.records.create(collection(), { email, password, passwordConfirm: password, verified: true }, { expand: [] }, asSuperuser);
    },
    async update(email, password) {
      const id = await findId(email);
      if (!id) throw notFound(`No superuser with email ${email}.`);
      await setPassword(id, password);
    },
    async delete(email) {
      const id = await findId(email);
      if (!id) throw notFound(`No superuser with email ${email}.`);
      await deps.records.delete(collection(), id, { ...asSuperuser, method: 'DELETE' });
    },
    async count() {
      const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(SUPERUSERS)} WHERE email <> ${INSTALLER_EMAIL}`.execute(deps.db);
      return Number(rows[0]?.n ?? 0);
    },
  };
}

