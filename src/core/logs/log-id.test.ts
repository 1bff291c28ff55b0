import { describe, expect, it } from 'vitest';
import { newLogId } from './log-id.js';

describe('newLogId', () => {
  it('is 15 characters of [a-z0-9], ordered by time, distinct', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newLogId(1_700_000_000_000 + i));
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{15}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(8))).size).toBeGreaterThan(990);
  });
});
