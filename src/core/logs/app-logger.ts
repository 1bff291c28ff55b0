/**
 * The logger app code gets from `app.logger()` (docs/hooks.md, docs/operations.md
 * §Logs): `debug/info/warn/error(message, data?)` store an entry (when
 * `settings.logs.minLevel` lets it through) and print the same line to stdout
 * through the node's pino logger (pino's `(data, message)` order works too); `with(data)` gives a logger that adds `data` to
 * every entry, like PocketBase's `logger().with(…)`.
 */
import { LOG_LEVELS, type LogLevelName } from './log-store.js';
import type { LogWriter } from './log-writer.js';

/** The stdout side: pino's methods in their `(object, message)` form. */
export interface StdoutLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An AppLogger writes app log entries to the log store and to stdout. */
export class AppLogger {
  constructor(
    private readonly writer: LogWriter,
    private readonly stdout: StdoutLog,
    private readonly base: Readonly<Record<string, unknown>> = {},
  ) {}

  /** Logs at debug (-4). */
  debug(message: string | object, data?: Record<string, unknown> | string): void {
    this.log('debug', message, data);
  }

  /** Logs at info (0). */
  info(message: string | object, data?: Record<string, unknown> | string): void {
    this.log('info', message, data);
  }

  /** Logs at warn (4). */
  warn(message: string | object, data?: Record<string, unknown> | string): void {
    this.log('warn', message, data);
  }

  /** Logs at error (8). */
  error(message: string | object, data?: Record<string, unknown> | string): void {
    this.log('error', message, data);
  }

  /** A logger that adds `data` to every entry it writes. */
  with(data: Record<string, unknown>): AppLogger {
    return new AppLogger(this.writer, this.stdout, { ...this.base, ...plainData(data) });
  }

  private log(level: LogLevelName, first: string | object, second?: Record<string, unknown> | string): void {
    // pino's order, `(data, message)`, is taken too: app code written against pino keeps working.
    const pinoOrder = typeof first === 'object' && first !== null;
    const text = String((pinoOrder ? second : first) ?? '');
    const all = { ...this.base, ...plainData(pinoOrder ? first : second) };
    this.writer.write(LOG_LEVELS[level], text, all);
    this.stdout[level](all, text);
  }
}

/** `data` as an object of JSON values (an Error becomes its message), whatever app code passed. */
function plainData(data: unknown): Record<string, unknown> {
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) return { value: data };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = v instanceof Error ? v.message : v;
  return out;
}
