/**
 * The command dispatcher: finds the command in argv, runs it, and turns every
 * failure into a message and an exit code (2 for usage and configuration
 * mistakes, 1 for anything that went wrong while running).
 */
import { isConfigError } from '../config/config-error.js';
import type { CliContext } from './cli-context.js';
import { helpCommand, helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { runServe } from './serve-command.js';
import { runSuperuser } from './superuser-command.js';
import { runMigrateDb } from './migrate-db-command.js';
import { runMigrate } from './migrate-command.js';
import { runBackup } from './backup-command.js';
import { runTypegen } from './typegen-command.js';
import { isUsageError, UsageError, type HelpTopic } from './usage-error.js';
import { prepareEnvironment, takeEnvFileFlag } from './env-file-flag.js';

/** Flags accepted before the command word, PocketBase's persistent flags. */
const ROOT_OPTIONS = {
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} satisfies CommandOptions;

const COMMANDS: Record<string, (args: string[], ctx: CliContext) => Promise<number>> = {
  serve: runServe,
  superuser: runSuperuser,
  migrate: runMigrate,
  'migrate-db': runMigrateDb,
  backup: runBackup,
  typegen: runTypegen,
};

/** Runs the command line `argv` (without node and the script) and resolves with the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(argv, ctx);
  } catch (err) {
    if (isUsageError(err)) {
      ctx.stderr(`Error: ${err.message}\nRun "${helpCommand(err.topic)}" for usage.\n`);
      return 2;
    }
    if (isConfigError(err)) {
      ctx.stderr(`Error: ${err.message}\n`);
      return 2;
    }
    ctx.stderr(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function dispatch(all: string[], ctx: CliContext): Promise<number> {
  const { args: argv, envFile } = takeEnvFileFlag(all);
  const at = commandIndex(argv);
  const before = at < 0 ? argv : argv.slice(0, at);
  const root = parseCommandArgs(before, ROOT_OPTIONS, 'root', false);
  if (root.values.version) {
    ctx.stdout(`plinth version ${ctx.version}\n`);
    return 0;
  }
  if (at < 0) {
    ctx.stdout(helpText('root'));
    return 0;
  }
  const command = argv[at];
  const rest = [...before, ...argv.slice(at + 1)];
  if (command === 'help') return showHelp(rest, ctx);
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}"`);
  prepareEnvironment(envFile, ctx);
  return run(rest, ctx);
}

/** `plinth help [command]`. */
function showHelp(args: string[], ctx: CliContext): number {
  const { positionals } = parseCommandArgs(args, ROOT_OPTIONS, 'root');
  const [topic = 'root', ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (topic !== 'root' && !(topic in COMMANDS)) throw new UsageError(`unknown command "${topic}"`);
  ctx.stdout(helpText(topic as HelpTopic));
  return 0;
}

/**
 * The index of the command word: the first argument that is not a flag, skipping
 * the value of a root string flag written apart (`--dir DIR serve`).
 */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return i;
    if (arg === '--dir') i++;
  }
  return -1;
}
