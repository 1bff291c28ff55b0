/**
 * The backups of a node (docs/operations.md, Backups), wired to the services a restore
 * must reload and the cron that takes scheduled backups.
 */
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import type { PlinthConfig } from '../config/config.js';
import { LocalBackupStore } from '../adapters/backups/local-backup-store.js';
import { SettingsBackupStore } from '../adapters/backups/settings-backup-store.js';
import type { BackupLock } from '../core/backups/backup-lock.js';
import { BackupService } from '../core/backups/backup-service.js';
import type { SnapshotReader } from '../core/backups/table-snapshot.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import type { Schema } from '../core/collections/schema.js';
import type { ClusterSync } from '../core/cluster/cluster-sync.js';
import type { JobSystem } from '../core/jobs/job-system.js';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import type { SettingsService } from '../core/settings/settings-service.js';
import type { WebhookService } from '../core/webhooks/webhook-service.js';
import type { Db } from '../db/database.js';
import type { Dialect } from '../db/dialect/dialect.js';
import { postgresSnapshotReader } from '../db/postgres-snapshot.js';
import { SchemaSync } from '../db/schema-sync.js';
import { sqliteSnapshotReader } from '../db/sqlite-snapshot.js';

/** The services backups read, and reload after a restore. */
export interface BackupsDeps {
  db: Db;
  backupLock: BackupLock;
  dialect: Dialect;
  schema: Schema;
  collections: CollectionService;
  settings: SettingsService;
  sync: ClusterSync;
  realtime: RealtimeHub;
  jobs: JobSystem;
  webhooks: WebhookService;
  log: FastifyInstance['log'];
}

/**
 * The backups of a node (docs/operations.md, Backups): archives in `<dir>/backups` or the
 * bucket of `settings.backups.s3`, the
 * snapshot read the engine's way, and after a restore everything held in memory reloaded
 * here and announced to the other nodes, so no restart is needed.
 */
export async function createBackups(
  config: PlinthConfig,
  s: BackupsDeps,
): Promise<BackupService> {
  const snapshots: SnapshotReader = config.databaseUrl ? postgresSnapshotReader(s.db) : sqliteSnapshotReader(config.dir);
  const local = await LocalBackupStore.open(join(config.dir, 'backups'));
  const store = new SettingsBackupStore(local, () => s.settings.get().backups.s3, join(config.dir, '.tmp', 'backups'));
  const backups = new BackupService({
    store, lock: s.backupLock,
    snapshots, engine: config.databaseUrl ? 'postgres' : 'sqlite', dir: config.dir,
    db: s.db, ddl: new SchemaSync(s.dialect),
    collections: () => s.schema.all(),
    settings: () => s.settings.get(),
    afterRestore: async () => {
      await s.collections.reload();
      await s.settings.reload();
      await s.webhooks.reload();
      await s.sync.announceAll();
      // Streams were authorized against the old data: clients reconnect and subscribe again.
      s.realtime.closeAll();
    },
    onError: (err, what) => s.log.error({ err }, `${what} failed`),
  });
  const schedule = (): void => {
    try {
      backups.schedule(s.jobs.crons);
    } catch (err) {
      s.log.error({ err }, 'the backups cron could not be scheduled');
    }
  };
  schedule();
  s.settings.onChange(schedule);
  return backups;
}

