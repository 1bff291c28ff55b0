/**
 * `plinth backup create [NAME]` and `plinth backup restore KEY`: the backups of
 * the API (docs/operations.md, Backups) from the command line, over the data
 * directory (and DATABASE_URL) the server would use, without listening.
 */
import { loadConfig } from '../config/load-config.js';
import type { Plinth } from '../app/plinth.js';
import { isAppError } from '../errors/app-error.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

const BACKUP_OPTIONS = {
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

/** Runs a `plinth backup` subcommand; resolves with the exit code. */
export async function runBackup(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, BACKUP_OPTIONS, 'backup');
  if (values.help || positionals.length === 0) {
    ctx.stdout(helpText('backup'));
    return 0;
  }
  const [action, key, ...extra] = positionals;
  if (action !== 'create' && action !== 'restore') throw new UsageError(`unknown backup command "${action}"`, 'backup');
  if (action === 'restore' && (key === undefined || key === '')) throw new UsageError('backup restore: missing KEY', 'backup');
  if (extra.length > 0) throw new UsageError(`backup ${action}: unexpected argument "${extra[0]}"`, 'backup');
  const config = loadConfig({ dir: values.dir }, ctx.env, ctx.cwd);

  let plinth: Plinth;
  try {
    plinth = await ctx.createPlinth(config, { logger: false });
  } catch (err) {
    ctx.stderr(`Error: cannot open the data directory ${config.dir}: ${errorMessage(err)}\n`);
    return 1;
  }
  try {
    if (!plinth.backups) throw new Error('this build has no backups');
    if (action === 'create') {
      const created = await plinth.backups.create(key === undefined || key === '' ? undefined : key);
      ctx.stdout(`Created backup "${created}" in ${config.dir}/backups\n`);
    } else {
      await plinth.backups.restore(key!);
      ctx.stdout(`Restored backup "${key}" into ${config.dir}\n`);
    }
    return 0;
  } catch (err) {
    ctx.stderr(describeFailure(err));
    return 1;
  } finally {
    await plinth.close().catch((err: unknown) => ctx.stderr(`Warning: closing the data directory failed: ${errorMessage(err)}\n`));
  }
}

function describeFailure(err: unknown): string {
  if (!isAppError(err)) return `Error: ${errorMessage(err)}\n`;
  const fields = Object.entries(err.data).map(([field, e]) => `  - ${field}: ${(e as { message?: string }).message ?? ''}`);
  return `${[`Error: ${err.message}`, ...fields].join('\n')}\n`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
