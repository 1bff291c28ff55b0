/**
 * What a CLI command may touch outside itself: output streams, environment,
 * working directory, the Plinth factory and shutdown signals. Commands receive
 * it as a port so tests can run them in-process with fakes.
 */
import type { PlinthConfig } from '../config/config.js';
import type { Plinth } from '../app/plinth.js';

/** Options for building a Plinth; `logger` is passed to Fastify (false, true or pino options). */
export interface CreatePlinthOptions {
  logger?: boolean | Record<string, unknown>;
}

/** A function that builds a Plinth from a configuration, as `createPlinth` in app/ does. */
export type CreatePlinth = (config: PlinthConfig, options?: CreatePlinthOptions) => Promise<Plinth>;

/** CliContext is the outside world of a command. */
export interface CliContext {
  /** Writes text, as given, to standard output. */
  stdout(text: string): void;
  /** Writes text, as given, to standard error. */
  stderr(text: string): void;
  /** Whether standard error is a terminal, where progress may be redrawn in place (false when unknown). */
  readonly stderrIsTerminal?: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** The directory a relative `--dir` is resolved against. */
  readonly cwd: string;
  readonly version: string;
  readonly createPlinth: CreatePlinth;
  /** Calls `handler` on SIGINT or SIGTERM; returns a function that stops listening. */
  onShutdownSignal(handler: (signal: string) => void): () => void;
}
