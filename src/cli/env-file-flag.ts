/**
 * `--env-file=PATH`, accepted anywhere on the command line (`plinth --env-file=.env serve`,
 * `plinth serve --env-file .env`): it is taken out of the arguments before the command
 * parses them, and the file is folded into the environment with the `_FILE` secrets
 * before the command reads its configuration (docs/configuration.md, "Where values come from").
 */
import { applyEnvFile, resolveFileVariables } from '../config/env-sources.js';
import type { CliContext } from './cli-context.js';
import { UsageError } from './usage-error.js';

const FLAG = '--env-file';

/** The arguments without `--env-file`, and its value if given. Arguments after `--` are left alone. */
export function takeEnvFileFlag(argv: readonly string[]): { args: string[]; envFile?: string } {
  const args: string[] = [];
  let envFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    let value: string | undefined;
    if (arg === FLAG) {
      value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new UsageError(`${FLAG} needs a path: ${FLAG}=PATH`);
    } else if (arg.startsWith(`${FLAG}=`)) {
      value = arg.slice(FLAG.length + 1);
    } else {
      args.push(arg);
      continue;
    }
    if (value === '') throw new UsageError(`${FLAG} needs a path: ${FLAG}=PATH`);
    if (envFile !== undefined) throw new UsageError(`${FLAG} may be given once`);
    envFile = value;
  }
  return envFile === undefined ? { args } : { args, envFile };
}

/**
 * Completes `ctx.env` before a command runs: the `.env` file's variables under the real
 * ones, then each `NAME_FILE` secret read into `NAME`. Throws a ConfigError naming
 * the file or the variable at fault.
 */
export function prepareEnvironment(envFile: string | undefined, ctx: CliContext): void {
  if (envFile !== undefined) applyEnvFile(ctx.env, envFile, ctx.cwd);
  resolveFileVariables(ctx.env);
}
