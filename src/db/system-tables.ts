/**
 * The tables Plinth keeps for itself: collection definitions and key-value
 * parameters (settings). Created on first start; idempotent.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';

/** Creates the system tables when they are missing. */
export async function ensureSystemTables(db: Db): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS _collections (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    system BOOLEAN NOT NULL DEFAULT FALSE,
    data TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX IF NOT EXISTS idx__collections_name ON _collections (lower(name))`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS _params (
    id TEXT PRIMARY KEY NOT NULL,
    value TEXT,
    created TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL DEFAULT ''
  )`.execute(db);
}
