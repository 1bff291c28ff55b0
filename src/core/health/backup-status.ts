/**
 * The BackupStatus port: whether a backup or restore runs now, which `GET /api/health`
 * reports to superusers as `data.canBackup` (docs/observability.md §2; PocketBase's dashboard
 * reads it before offering a backup). The backups service implements it; until then a
 * node is always idle.
 */

/** BackupStatus tells whether a backup or restore is running on this node. */
export interface BackupStatus {
  /** True while a backup or restore runs on any node (another must wait). */
  isBusy(): Promise<boolean>;
}

/** The BackupStatus of a node without a backups service: never busy. */
export const IDLE_BACKUP_STATUS: BackupStatus = { isBusy: async () => false };
