/**
 * The error a bad configuration value raises at start-up. It is not an HTTP
 * error: the CLI prints it and stops with exit code 2.
 */

/** A ConfigError names the flag or environment variable at fault and why its value is refused. */
export class ConfigError extends Error {
  /** The flag (`--http`) or variable (`PLINTH_HTTP`) whose value is wrong. */
  readonly source: string;
  /** Why the value was refused, without the source prefix. */
  readonly reason: string;

  constructor(source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = 'ConfigError';
    this.source = source;
    this.reason = reason;
  }
}

/** Tests whether a value is a ConfigError. */
export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError;
}
