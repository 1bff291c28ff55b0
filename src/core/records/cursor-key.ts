/**
 * The key that signs cursors (docs/api.md §3.10): 32 random bytes kept in
 * the `_params` table, made by the first node that needs it, so every node of a cluster
 * signs and accepts the same cursors and they survive a restart.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';

const PARAM_ID = 'cursorKey';

/** Reads the cursor key, creating it first when there is none. */
export async function loadCursorKey(db: Executor): Promise<Buffer> {
  const fresh = randomBytes(32).toString('base64url');
  // NOTE: two nodes may race here; ON CONFLICT keeps the first key and both read it back.
  await sql`INSERT INTO _params (id, value, created, updated) VALUES (${PARAM_ID}, ${fresh}, '', '') ON CONFLICT (id) DO NOTHING`.execute(db);
  const { rows } = await sql<{ value: string | null }>`SELECT value FROM _params WHERE id = ${PARAM_ID}`.execute(db);
  const value = rows[0]?.value;
  if (!value) throw new Error('the cursor key could not be stored');
  return Buffer.from(value, 'base64url');
}
