/**
 * The BackupLock on PostgreSQL (docs/operations.md, "One backup at a time"): a session
 * advisory lock taken with `pg_try_advisory_lock` on a pooled connection of its own and
 * kept for the whole backup or restore, so a second node's attempt fails at once instead
 * of queueing. If the node dies, PostgreSQL ends its session and the lock goes with it.
 */
import type { Pool } from 'pg';
import type { BackupLock } from '../core/backups/backup-lock.js';

/** The advisory lock key of backups and restores ("plbk" in ASCII): below 2^32, so pg_locks shows it as objid with classid 0. */
export const BACKUP_LOCK = 1886151275;

/** A BackupLock over `pool`. */
export function createPostgresBackupLock(pool: Pool): BackupLock {
  return {
    async tryRun<T>(fn: () => Promise<T>): Promise<{ value: T } | null> {
      const client = await pool.connect();
      let locked = false;
      try {
        locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BACKUP_LOCK])).rows[0]?.ok === true;
        if (!locked) return null;
        return { value: await fn() };
      } finally {
        // NOTE: a failed unlock (the connection broke) drops the connection, which ends the session and its lock.
        const unlocked = !locked || await client.query('SELECT pg_advisory_unlock($1)', [BACKUP_LOCK]).then(() => true, () => false);
        client.release(unlocked ? undefined : true);
      }
    },
    async held(): Promise<boolean> {
      const { rows } = await pool.query(
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = $1 AND objsubid = 1 AND granted
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [BACKUP_LOCK],
      );
      return rows.length > 0;
    },
  };
}
