/**
 * Migrations in a node (docs/migrations.md): the runner over the configured
 * folder, the step that applies pending files when the node starts, automigrate
 * on the collections API, and a node opened for `plinth migrate`.
 */
import type { PlinthConfig } from '../config/config.js';
import type { Collection } from '../core/collections/collection.js';
import type { CollectionService } from '../core/collections/collection-service.js';
import { automigrating } from './automigrate.js';
import type { ModuleLoader } from './migration-files.js';
import { MigrationRunner } from './migration-runner.js';
import { PlinthApp, type Plugin } from './plinth-app.js';
import { buildServices, type PlinthOptions, type Services } from './services.js';

/** The runner of the node's migrations folder, or undefined when none is configured. */
export function createMigrationRunner(app: PlinthApp, s: Services, load?: ModuleLoader): MigrationRunner | undefined {
  const dir = s.config.migrationsDir;
  if (!dir) return undefined;
  return new MigrationRunner({
    dir, app, load,
    collections: s.collections,
    schema: s.schema,
    exclusive: (fn) => s.connection.exclusive(fn),
    announceSchema: () => s.sync.announce('schema'),
  });
}

/**
 * The first step of a node's start: applies the pending migrations before the
 * plugins and `onBootstrap` run, so hooks files find the schema the migrations
 * make. A failure stops the start with a MigrationError naming the file.
 */
export function applyMigrationsAtStart(runner: MigrationRunner, log: (message: string) => void): Plugin {
  return async () => {
    for (const file of await runner.up()) log(`applied migration ${file}`);
  };
}

/** The collection service the collections API writes through: automigrating when configured. */
export function apiCollections(s: Services): CollectionService {
  const dir = s.config.migrationsDir;
  if (!dir || !s.config.automigrate) return s.collections;
  return automigrating(s.collections, {
    dir, db: s.db, schema: s.schema, language: 'ts',
    onError: (err, file) => s.http.log.error({ err }, `automigrate could not write ${file}; the collection change is saved`),
  });
}

/** A node opened for `plinth migrate`: no routes, no listening. */
export interface MigrationConsole {
  runner: MigrationRunner;
  /** Every collection, oldest first. */
  collections(): readonly Collection[];
  close(): Promise<void>;
}

/** Opens the data directory of `config` for the `plinth migrate` commands. */
export async function openMigrationConsole(config: PlinthConfig & { migrationsDir: string }, options: PlinthOptions = {}): Promise<MigrationConsole> {
  const services = await buildServices(config, { ...options, logger: false });
  const app = new PlinthApp(services);
  const runner = createMigrationRunner(app, services)!;
  return { runner, collections: () => services.schema.all(), close: () => app.stop() };
}
