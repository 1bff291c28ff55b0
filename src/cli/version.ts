/**
 * The version of Plinth, read from package.json so it is written in one place.
 */
import { readFileSync } from 'node:fs';

/** Reads the `version` of the package; the same relative path works from src/cli and dist/cli. */
export function readVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
