/** Cron expressions (docs/jobs.md §5): the five fields and PocketBase's macros, and what is refused. */
import { describe, expect, it } from 'vitest';
import { parseCronExpression } from './cron-expression.js';

describe('parseCronExpression', () => {
  it.each([
    ['* * * * *', '* * * * *'],
    [' */15 0-6 1,15 * 1-5 ', '*/15 0-6 1,15 * 1-5'],
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ])('%j stands for %j', (expression, fields) => {
    expect(parseCronExpression(expression)).toBe(fields);
  });

  it.each(['', '* * * *', '* * * * * *', '60 * * * *', '* 24 * * *', '@every 5m', 'a b c d e', 5, null])('refuses %j with a 400 naming expression', (expression) => {
    expect(() => parseCronExpression(expression)).toThrow(expect.objectContaining({ status: 400, data: { expression: expect.objectContaining({ code: 'validation_invalid_value' }) } }));
  });
});
