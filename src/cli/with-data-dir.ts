/**
 * How the commands that work on a data directory without listening (`superuser`,
 * `backup`) open it: build the node, run the action, print its line, and close the
 * node again whatever happened (docs/configuration.md lists the commands and exit codes).
 */
import type { Plinth } from '../app/plinth.js';
import type { PlinthConfig } from '../config/config.js';
import { isAppError, type ErrorData, type FieldError } from '../errors/app-error.js';
import type { CliContext } from './cli-context.js';

/**
 * Opens the node of `config`, runs `action` on it and prints the line it returns;
 * a failure to open or to act is printed on stderr. Resolves with the exit code.
 */
export async function withDataDir(ctx: CliContext, config: PlinthConfig, action: (plinth: Plinth) => Promise<string>): Promise<number> {
  let plinth: Plinth;
  try {
    plinth = await ctx.createPlinth(config, { logger: false });
  } catch (err) {
    ctx.stderr(`Error: cannot open the data directory ${config.dir}: ${errorMessage(err)}\n`);
    return 1;
  }
  try {
    ctx.stdout(`${await action(plinth)}\n`);
    return 0;
  } catch (err) {
    ctx.stderr(describeFailure(err));
    return 1;
  } finally {
    await plinth.close().catch((err: unknown) => ctx.stderr(`Warning: closing the data directory failed: ${errorMessage(err)}\n`));
  }
}

/** The text printed for a failed action: the AppError's message and one line per field error. */
function describeFailure(err: unknown): string {
  if (!isAppError(err)) return `Error: ${errorMessage(err)}\n`;
  const lines = [`Error: ${err.message}`];
  for (const [path, fieldError] of flattenErrors(err.data)) lines.push(`  - ${path}: ${fieldError.message}`);
  return `${lines.join('\n')}\n`;
}

function flattenErrors(data: ErrorData, prefix = ''): Array<[string, FieldError]> {
  const out: Array<[string, FieldError]> = [];
  for (const [key, value] of Object.entries(data)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value.code === 'string' && typeof value.message === 'string') out.push([path, value as FieldError]);
    else out.push(...flattenErrors(value as ErrorData, path));
  }
  return out;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
