/**
 * The `_migrations` table (src/db/system-tables.ts): one row per applied
 * migration file, `applied` in microseconds since the epoch as PocketBase's.
 */
import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

/** An applied migration as `_migrations` records it. */
export interface AppliedMigration {
  file: string;
  /** When it was applied, in microseconds since the epoch. */
  applied: number;
}

/** The applied migrations, oldest first (files applied in the same microsecond by name). */
export async function readHistory(exec: Executor): Promise<AppliedMigration[]> {
  const { rows } = await sql<{ file: string; applied: unknown }>`SELECT file, applied FROM _migrations ORDER BY applied, file`.execute(exec);
  return rows.map((r) => ({ file: r.file, applied: Number(r.applied) }));
}

/** Records `file` as applied at `applied` (microseconds). */
export async function recordApplied(exec: Executor, file: string, applied: number): Promise<void> {
  await sql`INSERT INTO _migrations (file, applied) VALUES (${file}, ${applied})`.execute(exec);
}

/** Forgets that `file` was applied. */
export async function forgetApplied(exec: Executor, file: string): Promise<void> {
  await sql`DELETE FROM _migrations WHERE file = ${file}`.execute(exec);
}

let lastTime = 0;

/** Now in microseconds, later than any time this process gave before: the order of application survives. */
export function appliedTime(): number {
  lastTime = Math.max(Date.now() * 1000, lastTime + 1);
  return lastTime;
}
