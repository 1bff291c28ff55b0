/**
 * `plinth backup create [NAME]` and `plinth backup restore KEY`: the backups of
 * the API (docs/operations.md, Backups) from the command line, over the data
 * directory (and DATABASE_URL) the server would use, without listening.
 */
import { loadConfig } from '../config/load-config.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';
import { withDataDir } from './with-data-dir.js';

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

  return withDataDir(ctx, config, async (plinth) => {
    if (!plinth.backups) throw new Error('this build has no backups');
    if (action === 'create') {
      const created = await plinth.backups.create(key === undefined || key === '' ? undefined : key);
      return `Created backup "${created}" in ${config.dir}/backups`;
    }
    await plinth.backups.restore(key!);
    return `Restored backup "${key}" into ${config.dir}`;
  });
}
