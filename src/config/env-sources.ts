/**
 * Where environment variables come from besides the process environment
 * (docs/configuration.md, "Where values come from"): a `.env` file named by `--env-file`, and files named
 * by `<NAME>_FILE` variables (Docker and Kubernetes secrets). Both are folded into
 * the environment before the configuration is read, so everything that reads a
 * variable sees the same value whatever its source.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.js';

/** The suffix of a variable that names a file holding another variable's value. */
export const FILE_SUFFIX = '_FILE';

/** The largest secret or `.env` file read: anything bigger is a wrong path (a log, a device), not a secret. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Variables that may come from a file: Plinth's own, and the unprefixed URLs it reads. */
function takesFile(name: string): boolean {
  return (name.startsWith('PLINTH_') && name.length > 'PLINTH_'.length) || name === 'DATABASE_URL' || name === 'REDIS_URL';
}

/** Whether a variable is set: an empty one counts as unset, as everywhere in the configuration. */
function isSet(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  return value !== undefined && value !== '';
}

/**
 * Adds the variables of the `.env` file at `path` (relative to `cwd`) to `env`, under
 * those already there: a variable set in the real environment wins over the file,
 * as with `node --env-file`. `NAME` and `NAME_FILE` count as one setting, so a real
 * `NAME_FILE` also keeps the file's `NAME` out (and the reverse).
 * NOTE: `env` is changed in place; the CLI passes `process.env`, so hooks code and
 * libraries that read the environment (OpenTelemetry) see the file's variables too.
 */
export function applyEnvFile(env: NodeJS.ProcessEnv, path: string, cwd: string): void {
  const text = readSmallFile(resolve(cwd, path), '--env-file');
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (value === undefined || isSet(env, name)) continue;
    const base = name.endsWith(FILE_SUFFIX) ? name.slice(0, -FILE_SUFFIX.length) : undefined;
    if (base !== undefined && takesFile(base) && isSet(env, base)) continue;
    if (takesFile(name) && isSet(env, name + FILE_SUFFIX)) continue;
    env[name] = value;
  }
}

/**
 * Replaces every set `NAME_FILE` (NAME one of Plinth's variables) with `NAME`, its
 * value being the file's contents without the trailing newline; the `_FILE` variable
 * is removed, as the official PostgreSQL image does. Throws a ConfigError naming both
 * variables when both are set, or naming `NAME_FILE` and the path when the file
 * cannot be read.
 * SECURITY: the value read is never part of a message.
 */
export function resolveFileVariables(env: NodeJS.ProcessEnv): void {
  for (const fileVar of Object.keys(env)) {
    if (!fileVar.endsWith(FILE_SUFFIX) || !isSet(env, fileVar)) continue;
    const name = fileVar.slice(0, -FILE_SUFFIX.length);
    if (!takesFile(name)) continue;
    if (isSet(env, name)) {
      throw new ConfigError(fileVar, `both ${name} and ${fileVar} are set; set only one of them`);
    }
    const text = readSmallFile(env[fileVar] as string, fileVar);
    env[name] = withoutTrailingNewlines(text);
    delete env[fileVar];
  }
}

/** The text of a file of at most MAX_FILE_BYTES, or a ConfigError naming `source` and the path. */
function readSmallFile(path: string, source: string): string {
  const shown = JSON.stringify(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new ConfigError(source, `cannot read ${shown}: ${reason(err)}`);
  }
  try {
    // One byte past the cap tells a file at the cap from a bigger one.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_FILE_BYTES) throw new ConfigError(source, `${shown} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(source, `cannot read ${shown}: ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** The text without the line breaks at its end (editors and `echo` add one). */
function withoutTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return text.slice(0, end);
}

/** A short reason for a failed read: the system error code with its text (`ENOENT: no such file…`). */
function reason(err: unknown): string {
  const e = err as { message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // Node's message repeats the path after a comma ("ENOENT: no such file or directory, open '/x'").
  const comma = message.indexOf(', ');
  return comma > 0 ? message.slice(0, comma) : message;
}
