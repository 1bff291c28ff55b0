import { describe, expect, it } from 'vitest';
import { typeNames } from './type-names.js';

describe('typeNames', () => {
  it.each([
    ['_authOrigins', 'AuthOrigins'],
    ['order_items', 'OrderItems'],
    ['in review', 'InReview'],
    ['2fa', '_2fa'],
    ['', 'Value'],
    ['é!', 'Value'],
  ])('%j → %s', (name, expected) => {
    expect(typeNames([name]).get(name)).toBe(expected);
  });

  it('numbers names that would collide', () => {
    expect([...typeNames(['order_items', 'orderItems', 'OrderItems']).values()]).toEqual(['OrderItems', 'OrderItems2', 'OrderItems3']);
  });
});
