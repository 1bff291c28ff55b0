/**
 * `plinth superuser upsert|create|update|delete EMAIL [PASSWORD]`: manages
 * superusers of the data directory without starting the HTTP server.
 */
import { loadConfig } from '../config/load-config.js';
import type { SuperuserAdmin } from '../app/plinth.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';
import { withDataDir } from './with-data-dir.js';

const SUPERUSER_OPTIONS = {
  dir: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

/** The HTML living-standard email shape; the server validates again, this only catches typos early. */
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

type Action = 'upsert' | 'create' | 'update' | 'delete';

/** What each action prints on success, PocketBase's wording. */
const DONE: Record<Action, (email: string) => string> = {
  upsert: (email) => `Successfully saved superuser "${email}"!`,
  create: (email) => `Successfully created new superuser "${email}"!`,
  update: (email) => `Successfully changed superuser "${email}" password!`,
  delete: (email) => `Successfully deleted superuser "${email}"!`,
};

/** Runs a `plinth superuser` subcommand; resolves with the exit code. */
export async function runSuperuser(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, SUPERUSER_OPTIONS, 'superuser');
  if (values.help || positionals.length === 0) {
    ctx.stdout(helpText('superuser'));
    return 0;
  }
  const [action, email, password] = parseAction(positionals);
  const config = loadConfig({ dir: values.dir }, ctx.env, ctx.cwd);

  return withDataDir(ctx, config, async (plinth) => {
    await perform(plinth.superusers, action, email, password);
    return DONE[action](email);
  });
}

function parseAction(positionals: string[]): [Action, string, string] {
  const [action, email, password, ...extra] = positionals;
  if (action === 'otp' || action === 'ips') {
    throw new UsageError(`superuser ${action} is not supported by Plinth`, 'superuser');
  }
  if (action !== 'upsert' && action !== 'create' && action !== 'update' && action !== 'delete') {
    throw new UsageError(`unknown superuser command "${action}"`, 'superuser');
  }
  if (email === undefined || email === '') throw new UsageError(`superuser ${action}: missing EMAIL`, 'superuser');
  if (!EMAIL.test(email)) throw new UsageError(`superuser ${action}: "${email}" is not a valid email address`, 'superuser');
  const wantsPassword = action !== 'delete';
  if (wantsPassword && (password === undefined || password === '')) {
    throw new UsageError(`superuser ${action}: missing PASSWORD`, 'superuser');
  }
  const unexpected = wantsPassword ? extra : [password, ...extra].filter((a) => a !== undefined);
  if (unexpected.length > 0) throw new UsageError(`superuser ${action}: unexpected argument "${unexpected[0]}"`, 'superuser');
  return [action, email, password ?? ''];
}

async function perform(admin: SuperuserAdmin, action: Action, email: string, password: string): Promise<void> {
  switch (action) {
    case 'upsert':
      return admin.upsert(email, password);
    case 'create':
      return admin.create(email, password);
    case 'update':
      return admin.update(email, password);
    case 'delete':
      return admin.delete(email);
  }
}
