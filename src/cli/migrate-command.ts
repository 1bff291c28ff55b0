/**
 * `plinth migrate [up | down [N] | create NAME | collections | history-sync]`:
 * the migration files of `--migrationsDir` (docs/migrations.md), as PocketBase's
 * `migrate` command, without its confirmation prompts. Not to be confused with
 * `plinth migrate-db`, which copies SQLite data into PostgreSQL.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

const MIGRATE_OPTIONS = {
  dir: { type: 'string' },
  migrationsDir: { type: 'string' },
  databaseUrl: { type: 'string' },
  js: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

type Action = 'up' | 'down' | 'create' | 'collections' | 'history-sync';
const ACTIONS: readonly string[] = ['up', 'down', 'create', 'collections', 'history-sync'];

/** Runs a `plinth migrate` subcommand; resolves with the exit code (failures throw and become 1 or 2 in runCli). */
export async function runMigrate(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, MIGRATE_OPTIONS, 'migrate');
  if (values.help) {
    ctx.stdout(helpText('migrate'));
    return 0;
  }
  const [action = 'up', ...rest] = positionals;
  if (!ACTIONS.includes(action)) throw new UsageError(`unknown migrate command "${action}"`, 'migrate');
  const argument = parseArgument(action as Action, rest);
  if (values.js && action !== 'create' && action !== 'collections') throw new UsageError(`migrate ${action}: --js applies to create and collections only`, 'migrate');
  const config = loadConfig({ dir: values.dir, migrationsDir: values.migrationsDir, databaseUrl: values.databaseUrl }, ctx.env, ctx.cwd);
  const dir = config.migrationsDir!;
  const language = values.js ? 'js' : 'ts';

  // NOTE: loaded here so `--help` and usage errors answer without loading the server.
  const files = await import('../app/migration-files.js');
  if (action === 'create') {
    const name = files.snakeCaseName(String(argument));
    if (name === '') throw new UsageError(`migrate create: "${String(argument)}" has no letter or digit to name a file with`, 'migrate');
    const file = await writeNew(dir, await files.newMigrationFileName(dir, name, language), (await import('../app/migration-templates.js')).blankMigration(language));
    ctx.stdout(`Created ${file}\n`);
    return 0;
  }
  const { openMigrationConsole } = await import('../app/migrations.js');
  const node = await openMigrationConsole({ ...config, migrationsDir: dir });
  try {
    switch (action as Exclude<Action, 'create'>) {
      case 'up': {
        const applied = await node.runner.up();
        ctx.stdout(applied.length === 0 ? 'No new migrations to apply.\n' : applied.map((f) => `Applied ${f}\n`).join(''));
        return 0;
      }
      case 'down': {
        const reverted = await node.runner.down(Number(argument));
        ctx.stdout(reverted.length === 0 ? 'No migrations to revert.\n' : reverted.map((f) => `Reverted ${f}\n`).join(''));
        return 0;
      }
      case 'collections': {
        const { snapshotMigration } = await import('../app/migration-templates.js');
        const name = await files.newMigrationFileName(dir, 'collections_snapshot', language);
        const file = await writeNew(dir, name, snapshotMigration(language, node.collections()));
        // The snapshot describes this database as it is: here it counts as applied.
        await node.runner.markApplied(name);
        ctx.stdout(`Created ${file}\n`);
        return 0;
      }
      case 'history-sync': {
        const removed = await node.runner.historySync();
        ctx.stdout(`The _migrations table was synced with ${dir}${removed.length === 0 ? '.' : `; forgot ${removed.join(', ')}.`}\n`);
        return 0;
      }
    }
  } finally {
    await node.close();
  }
}

/** The argument of an action: the count of `down` (default 1), the name of `create`; none for the others. */
function parseArgument(action: Action, rest: string[]): number | string | undefined {
  const [first, ...extra] = rest;
  if (action === 'down') {
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'migrate');
    if (first === undefined) return 1;
    const count = Number(first);
    if (!/^[1-9][0-9]{0,8}$/.test(first) || !Number.isSafeInteger(count)) {
      throw new UsageError(`migrate down: "${first}" is not a number of migrations (1 or more)`, 'migrate');
    }
    return count;
  }
  if (action === 'create') {
    if (first === undefined) throw new UsageError('migrate create: missing NAME', 'migrate');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`, 'migrate');
    return first;
  }
  if (first !== undefined) throw new UsageError(`unexpected argument "${first}"`, 'migrate');
  return undefined;
}

/** Writes a new file into `dir` (created when missing), never over another; resolves with its path. */
async function writeNew(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, name);
  await writeFile(file, text, { flag: 'wx' });
  return file;
}
