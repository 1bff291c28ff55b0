/**
 * `plinth serve --dev` reloads the hooks: a change in the hooks folder builds a
 * new node in the same process and hands it the address. The new node is built
 * (its hooks loaded and checked) while the old one still serves; then the old
 * one stops gracefully — it takes no new connections and finishes the requests
 * in flight — and the new one listens on the same host and port. A hooks file
 * that fails to load leaves the old node serving; the error is printed and the
 * next change tries again.
 */
import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PlinthConfig } from '../config/config.js';
import type { Plinth } from '../app/plinth.js';
import type { CliContext } from './cli-context.js';
import { isUserCodeError, userCodeMessage } from './user-code-message.js';

/** How long the folder must be quiet before a reload: an editor's save is often several writes. */
const SETTLE_MS = 150;

/** A running dev reloader. */
export interface DevReload {
  /** Stops watching, waits for a reload under way, and resolves with the node serving now. */
  stop(): Promise<Plinth>;
}

/** Watches `config.hooksDir` and swaps `first` for a fresh node after each change. */
export function startDevReload(config: PlinthConfig & { hooksDir: string }, first: Plinth, ctx: CliContext): DevReload {
  let current = first;
  let queue: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let watchers: FSWatcher[] = [];

  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => (queue = queue.then(reload)), SETTLE_MS);
  };

  const reload = async (): Promise<void> => {
    if (stopped) return;
    let next: Plinth;
    try {
      next = await ctx.createPlinth(config);
    } catch (err) {
      ctx.stderr(`Error: hooks not reloaded: ${describe(err, ctx)}\n`);
      return;
    }
    await current.close().catch((err: unknown) => ctx.stderr(`Error: closing the previous node failed: ${describe(err, ctx)}\n`));
    current = next;
    try {
      await next.listen();
      ctx.stdout(`Hooks reloaded from ${config.hooksDir}\n`);
    } catch (err) {
      ctx.stderr(`Error: hooks not reloaded: ${describe(err, ctx)}\n`);
      await next.close().catch(() => undefined);
    }
    rewatch();
  };

  // The top level (or, while the folder is missing, its parent for its creation), plus each sub-folder (helpers) except node_modules and dot folders, which
  // can hold thousands of folders nothing here edits. A new folder shows at the top level.
  const rewatch = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
    if (stopped) return;
    const target = (dir: string, recursive: boolean, only?: string): void => {
      try {
        const w = watch(dir, { recursive }, (_event, name) => {
          const file = name?.toString();
          if (only !== undefined ? file === only : file === undefined || !isNoise(file)) changed();
        });
        w.on('error', () => undefined);
        watchers.push(w);
      } catch {
        // A folder removed meanwhile: the top-level watch sees its parent change.
      }
    };
    if (exists(config.hooksDir)) target(config.hooksDir, false);
    else target(dirname(config.hooksDir), false, basename(config.hooksDir));
    for (const sub of subfolders(config.hooksDir)) target(join(config.hooksDir, sub), true);
  };

  rewatch();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      await queue;
      return current;
    },
  };
}

function exists(dir: string): boolean {
  try {
    readdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Editor swap and backup files. */
function isNoise(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base.startsWith('.') || base.endsWith('~') || base.endsWith('.swp');
}

function describe(err: unknown, ctx: CliContext): string {
  if (isUserCodeError(err)) return userCodeMessage(err, ctx.cwd);
  return err instanceof Error ? err.message : String(err);
}
