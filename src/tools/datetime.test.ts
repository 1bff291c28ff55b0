import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDateTime, nowDateTime, parseDateTime } from './datetime.js';

describe('formatDateTime', () => {
  it('formats UTC with milliseconds and a space', () => {
    expect(formatDateTime(new Date(Date.UTC(2024, 4, 1, 9, 30, 0, 123)))).toBe('2024-05-01 09:30:00.123Z');
  });
  it('gives "" for an invalid date', () => {
    expect(formatDateTime(new Date(NaN))).toBe('');
  });
});

describe('nowDateTime', () => {
  it('is in the wire format', () => {
    expect(nowDateTime()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('parseDateTime', () => {
  const cases: Array<[unknown, string]> = [
    ['2024-05-01 09:30:00.123Z', '2024-05-01 09:30:00.123Z'],
    ['2024-05-01T09:30:00Z', '2024-05-01 09:30:00.000Z'],
    ['2024-05-01T09:30:00.5Z', '2024-05-01 09:30:00.500Z'],
    ['2024-05-01T09:30:00.123456789Z', '2024-05-01 09:30:00.123Z'],
    ['2024-05-01T09:30:00+02:00', '2024-05-01 07:30:00.000Z'],
    ['2024-05-01T00:30:00-01:30', '2024-05-01 02:00:00.000Z'],
    ['2024-05-01T23:30:00-0100', '2024-05-02 00:30:00.000Z'],
    ['2024-05-01 10:00:00 +02:00', '2024-05-01 08:00:00.000Z'],
    ['2024-05-01', '2024-05-01 00:00:00.000Z'],
    ['2024-05-01 10:00:00', '2024-05-01 10:00:00.000Z'],
    ['2024-05-01T10:00:00', '2024-05-01 10:00:00.000Z'],
    ['  2024-05-01  ', '2024-05-01 00:00:00.000Z'],
    ['Wed, 01 May 2024 10:00:00 GMT', '2024-05-01 10:00:00.000Z'],
    ['Wed, 01 May 2024 10:00:00 +0200', '2024-05-01 08:00:00.000Z'],
    [new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), '2024-01-02 03:04:05.006Z'],
    ['2024-02-30', ''],
    ['2024-13-01', ''],
    ['2024-05-01 24:00:00', ''],
    ['2024-05-01T10:00', ''],
    ['0001-01-01 00:00:00.000Z', ''],
    ['not a date', ''],
    ['', ''],
    [null, ''],
    [undefined, ''],
    [1714555800, ''],
    [{}, ''],
  ];
  it.each(cases)('%j → %j', (input, expected) => {
    expect(parseDateTime(input)).toBe(expected);
  });
  it('round-trips its own output', () => {
    const now = nowDateTime();
    expect(parseDateTime(now)).toBe(now);
  });
});

describe('parseDateTime on the canonical layout', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  // Digits in and just past every range, so invalid days, hours and Go's zero time all occur.
  const canonical = fc.tuple(
    fc.constantFrom(1, 2, 1900, 2000, 2023, 2024, 2100, 9999), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 999 }),
  ).map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);

  it('agrees with the general ISO parser (the same text with a T)', () => {
    fc.assert(fc.property(canonical, (text) => {
      expect(parseDateTime(text)).toBe(parseDateTime(text.replace(' ', 'T')));
    }), { numRuns: 5000 });
  });

  it('keeps leap days only in leap years and drops Go\'s zero time', () => {
    expect(parseDateTime('2024-02-29 10:00:00.000Z')).toBe('2024-02-29 10:00:00.000Z');
    expect(parseDateTime('2100-02-29 10:00:00.000Z')).toBe('');
    expect(parseDateTime('2000-02-29 10:00:00.000Z')).toBe('2000-02-29 10:00:00.000Z');
    expect(parseDateTime('0001-01-01 00:00:00.000Z')).toBe('');
    expect(parseDateTime('0001-01-01 00:00:00.001Z')).toBe('0001-01-01 00:00:00.001Z');
  });
});
