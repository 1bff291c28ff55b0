/**
 * The BackupLock port (docs/operations.md, "One backup at a time"): only one backup or
 * restore runs at a time across all nodes of a deployment. On PostgreSQL the nodes share
 * the database, so a session advisory lock there implements it (db/postgres-backup-lock.ts);
 * an embedded SQLite node is the only node, so its service's own flag is enough.
 */

/** A BackupLock serializes backups and restores across nodes. */
export interface BackupLock {
  /** Runs `fn` while holding the lock; null, without running it, when another node holds it. */
  tryRun<T>(fn: () => Promise<T>): Promise<{ value: T } | null>;
  /** Whether some node holds the lock now (`canBackup` of the health route). */
  held(): Promise<boolean>;
}

/** The BackupLock of a deployment with one node: nobody else can hold it. */
export const SINGLE_NODE_BACKUP_LOCK: BackupLock = {
  tryRun: async (fn) => ({ value: await fn() }),
  held: async () => false,
};
