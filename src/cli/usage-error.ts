/**
 * The error for a command line that cannot run as written: an unknown command or
 * flag, a missing or bad argument. The CLI prints it and exits with code 2.
 */

/** Help topics the CLI can point a user to after a usage error. */
export type HelpTopic = 'root' | 'serve' | 'superuser' | 'migrate' | 'migrate-db' | 'backup' | 'typegen';

/** A UsageError is a mistake in the command line itself, reported with exit code 2. */
export class UsageError extends Error {
  /** Which `--help` to suggest; the root help when not given. */
  readonly topic: HelpTopic;

  constructor(message: string, topic: HelpTopic = 'root') {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}

/** Tests whether a value is a UsageError. */
export function isUsageError(err: unknown): err is UsageError {
  return err instanceof UsageError;
}
