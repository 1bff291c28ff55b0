/**
 * The Plinth facade the CLI drives: a built server with its services, not yet
 * listening. `createPlinth` (create-plinth.ts) is the composition root.
 */
import type { PlinthConfig } from '../config/config.js';
import type { SuperuserAdmin } from '../core/auth/superuser-admin.js';
import type { SuperuserInstaller } from '../core/auth/superuser-installer.js';
import type { BackupService } from '../core/backups/backup-service.js';
import type { Collection } from '../core/collections/collection.js';

export type { SuperuserAdmin } from '../core/auth/superuser-admin.js';

/** A Plinth is one node: its HTTP server and its services over one data directory. */
export interface Plinth {
  readonly config: PlinthConfig;
  readonly superusers: SuperuserAdmin;
  /** Hands out the first-run install token (docs/security.md); absent on a fake. */
  readonly installer?: Pick<SuperuserInstaller, 'installToken'>;
  /** Creates and restores backups (docs/operations.md, Backups); absent on a fake. */
  readonly backups?: Pick<BackupService, 'create' | 'restore'>;
  /** Every collection (`plinth typegen`); absent on a fake. */
  findAllCollections?(): Collection[];
  /** Starts listening on config.http; resolves with the address actually bound. */
  listen(): Promise<{ host: string; port: number; url: string }>;
  /** Stops accepting requests, finishes those in flight, and closes the database. */
  close(): Promise<void>;
}
