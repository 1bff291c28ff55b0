/**
 * Cron expressions (docs/jobs.md §5): the standard five fields (minute, hour,
 * day of month, month, day of week) in UTC, or one of PocketBase's macros;
 * parsed and scheduled by croner.
 */
import { Cron } from 'croner';
import { AppError } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';

/** PocketBase's macros and the five fields each stands for. */
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The longest expression accepted. */
const MAX_EXPRESSION_LENGTH = 255;

/** The five fields an expression (or macro) stands for; a 400 naming `expression` when it is not valid. */
export function parseCronExpression(expression: unknown): string {
  if (typeof expression !== 'string' || expression.length > MAX_EXPRESSION_LENGTH) throw invalid(expression, 'not a string of at most 255 characters');
  const text = expression.trim();
  const fields = MACROS[text] ?? text;
  if (fields.split(/[ \t]/).filter((f) => f !== '').length !== 5) throw invalid(expression, 'expected five fields (minute hour day-of-month month day-of-week) or a macro such as @daily');
  try {
    new Cron(fields, { paused: true, mode: '5-part', timezone: 'UTC' }).stop();
  } catch (err) {
    throw invalid(expression, err instanceof Error ? err.message : String(err));
  }
  return fields;
}

/** A cron schedule: calls `onTick` with each minute it matches, in UTC, until stopped. */
export function scheduleCron(fields: string, onTick: (tick: Date) => void): { stop(): void } {
  const job = new Cron(fields, { mode: '5-part', timezone: 'UTC', unref: true }, () => {
    // The tick is the whole minute it fired for: every node computes the same one (docs/jobs.md §5).
    onTick(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  });
  return { stop: () => job.stop() };
}

function invalid(expression: unknown, reason: string): AppError {
  return new AppError(400, `Invalid cron expression ${JSON.stringify(expression)}: ${reason}.`, { expression: codeError('validation_invalid_value') });
}
