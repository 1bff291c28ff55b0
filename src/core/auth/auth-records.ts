/**
 * Lookups of auth records for the auth flows: by email, and by a token of a
 * given type whose signature verifies for the record it names (docs/api.md §5.9).
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { isAuthCollection, type AuthCollection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import { peekClaims, verifyRecordToken, type TokenClaims, type TokenType } from './auth-token.js';

/** A record found by its token, with the token's verified claims. */
export interface TokenRecord {
  collection: AuthCollection;
  record: RecordValues;
  claims: TokenClaims;
}

/** The auth record with this email (case-insensitive), or undefined. */
export async function findAuthRecordByEmail(exec: Executor, c: AuthCollection, email: string): Promise<RecordValues | undefined> {
  if (email === '') return undefined;
  const { rows } = await sql<{ id: string }>`SELECT ${sql.ref('id')} AS id FROM ${sql.table(c.name)} WHERE lower(${sql.ref('email')}) = lower(${email}) LIMIT 1`.execute(exec);
  return rows[0] ? findRecord(exec, c, rows[0].id) : undefined;
}

/**
 * The record a token of `type` belongs to, in whichever auth collection it names,
 * or null when the token is malformed, forged, expired, revoked or of another type.
 */
export async function findRecordByToken(exec: Executor, schema: Schema, token: string, type: TokenType): Promise<TokenRecord | null> {
  const peeked = peekClaims(token);
  if (!peeked || peeked.type !== type) return null;
  const c = schema.find(peeked.collectionId);
  if (!c || !isAuthCollection(c) || c.id !== peeked.collectionId) return null;
  const record = await findRecord(exec, c, peeked.id);
  if (!record) return null;
  // SECURITY: the signature is checked with this record's tokenKey and the collection's
  // secret for `type`, so a token of another type or a rotated key never verifies.
  const claims = await verifyRecordToken(c, String(record.tokenKey), token, type);
  return claims ? { collection: c, record, claims } : null;
}
