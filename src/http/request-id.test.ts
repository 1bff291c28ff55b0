import { describe, expect, it } from 'vitest';
import { isSaneRequestId } from './request-id.js';

describe('isSaneRequestId', () => {
  it.each(['a', 'lb-1.2_3', 'x'.repeat(64), 'ABCxyz019'])('keeps %s', (id) => {
    expect(isSaneRequestId(id)).toBe(true);
  });
  it.each(['', 'x'.repeat(65), 'a b', 'a/b', 'a"b', 'é', 'a\nb', undefined, ['a']])('refuses %j', (id) => {
    expect(isSaneRequestId(id)).toBe(false);
  });
});
