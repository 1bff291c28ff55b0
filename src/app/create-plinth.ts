/**
 * The composition root: a node is built in named steps — build the services
 * (services.ts), register the built-in API from its ordered table
 * (api-routes.ts), let plugins add hooks and routes, listen (plinth-app.ts).
 * The only module that knows every concrete implementation.
 */
import type { PlinthConfig } from '../config/config.js';
import { registerApiRoutes } from './api-routes.js';
import { applyMigrationsAtStart, createMigrationRunner } from './migrations.js';
import { PlinthApp } from './plinth-app.js';
import { buildServices, type PlinthOptions } from './services.js';

export type { PlinthOptions } from './services.js';

/** A built node: the app, with its HTTP server and realtime hub exposed for tests. */
export type PlinthNode = PlinthApp;

/** Builds a node over the configured data directory: services and the built-in API, not yet listening. */
export async function createPlinth(config: PlinthConfig, options: PlinthOptions = {}): Promise<PlinthNode> {
  const services = await buildServices(config, options);
  try {
    await registerApiRoutes(services);
  } catch (err) {
    await services.close();
    throw err;
  }
  const app = new PlinthApp(services);
  // Migrations (docs/migrations.md) apply first when the node starts, before the plugins.
  const migrations = createMigrationRunner(app, services);
  if (migrations) app.use(applyMigrationsAtStart(migrations, (message) => services.http.log.info(message)));
  return app;
}
