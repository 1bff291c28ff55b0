/**
 * Builds a node with its app code: the hooks files of `config.hooksDir` are
 * loaded first — so a broken one stops the start before a database is opened —
 * then the node (create-plinth.ts), then each file's plugin is added, to run
 * when the node starts. `plinth serve` and library mode both start here.
 */
import type { PlinthConfig } from '../config/config.js';
import { createPlinth as buildNode, type PlinthOptions } from './create-plinth.js';
import { loadHooks } from './hooks-loader.js';
import type { PlinthApp } from './plinth-app.js';

/** Builds a node over `config` with the hooks of `config.hooksDir` (none when it is unset), not yet started. */
export async function createNode(config: PlinthConfig, options: PlinthOptions = {}, cwd: string = process.cwd()): Promise<PlinthApp> {
  const plugins = config.hooksDir === undefined ? [] : await loadHooks(config.hooksDir, cwd);
  const app = await buildNode(config, options);
  for (const plugin of plugins) app.use(plugin);
  return app;
}
