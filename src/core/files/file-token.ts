/**
 * File tokens (docs/api.md §5.9, §8.3): short-lived JWTs of type `file` that let an
 * auth record fetch protected files through a plain URL (`?token=`).
 */
import type { Db } from '../../db/database.js';
import { isAuthCollection, type Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { peekClaims, signRecordToken, verifyRecordToken } from '../auth/auth-token.js';
import { findRecord } from '../records/record-store.js';
import type { AuthInfo } from '../rules/request-info.js';

/** Signs a file token for the signed-in record, or null when `auth` is not an auth record. */
export async function issueFileToken(auth: AuthInfo): Promise<string | null> {
  const c: Collection = auth.collection;
  if (!isAuthCollection(c) || typeof auth.record.tokenKey !== 'string') return null;
  return signRecordToken(c, auth.record.tokenKey, { id: String(auth.record.id), type: 'file', collectionId: c.id });
}

/** The record a file token stands for, or null for a missing, expired, revoked or foreign token. */
export async function verifyFileToken(deps: { db: Db; schema: Schema }, token: string): Promise<AuthInfo | null> {
  const raw = token.trim();
  const claims = raw === '' ? null : peekClaims(raw);
  if (!claims || claims.type !== 'file') return null;
  const c = deps.schema.find(claims.collectionId);
  if (!c || !isAuthCollection(c) || c.id !== claims.collectionId) return null;
  const record = await findRecord(deps.db, c, claims.id);
  if (!record) return null;
  const verified = await verifyRecordToken(c, String(record.tokenKey), raw, 'file');
  return verified ? { collection: c, record } : null;
}
