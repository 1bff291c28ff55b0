import { describe, expect, it } from 'vitest';
import { datetimeMacroValue } from './datetime-macros.js';
import { likePattern } from './like-pattern.js';

describe('likePattern', () => {
  it.each([
    ['abc', '%abc%'],
    ['a_b', '%a\\_b%'],
    ['50%', '50%'],
    ['50\\%', '%50\\%%'],
    ['a\\b', '%a\\\\b%'],
    ['\\_x', '%\\_x%'],
    ['_', '%\\_%'],
    ['', '%%'],
    [5, '%5%'],
    [null, '%%'],
  ] as const)('%j → %s', (value, pattern) => {
    expect(likePattern(value)).toBe(pattern);
  });
});

describe('datetime macros', () => {
  const now = new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 16)); // a Thursday in a leap February
  it.each([
    ['@now', '2024-02-29 13:14:15.016Z'],
    ['@yesterday', '2024-02-28 13:14:15.016Z'],
    ['@tomorrow', '2024-03-01 13:14:15.016Z'],
    ['@second', 15], ['@minute', 14], ['@hour', 13], ['@day', 29], ['@month', 2], ['@year', 2024], ['@weekday', 4],
    ['@todayStart', '2024-02-29 00:00:00.000Z'],
    ['@todayEnd', '2024-02-29 23:59:59.999Z'],
    ['@monthStart', '2024-02-01 00:00:00.000Z'],
    ['@monthEnd', '2024-02-29 23:59:59.999Z'],
    ['@yearStart', '2024-01-01 00:00:00.000Z'],
    ['@yearEnd', '2024-12-31 23:59:59.999Z'],
  ] as const)('%s', (name, value) => {
    expect(datetimeMacroValue(name, now)).toBe(value);
  });
});
