/**
 * How the CLI tells a hooks file (or migration) that failed: its path relative to
 * the working directory when it is inside it, with line and column, and the reason.
 */
import { isAbsolute, relative } from 'node:path';
import { UserCodeError } from '../app/code-loader.js';

/** Whether `err` is a failure of the user's own code, which names its file and line. */
export function isUserCodeError(err: unknown): err is UserCodeError {
  return err instanceof UserCodeError;
}

/** `plinth_hooks/shop.ts:12:7: TypeError: boom` for an error in `/srv/app/plinth_hooks/shop.ts` run from /srv/app. */
export function userCodeMessage(err: UserCodeError, cwd: string): string {
  const where = err.location ?? { file: err.file };
  const line = err.location ? `:${err.location.line}:${err.location.column}` : '';
  return `${shortPath(where.file, cwd)}${line}: ${err.reason}`;
}

function shortPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
