import { describe, expect, it } from 'vitest';
import { Lru } from './lru.js';

describe('Lru', () => {
  it('evicts the least recently used entry', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('b', 2);
    expect(lru.get('a')).toBe(1); // a is now newest
    lru.set('c', 3);
    expect(lru.has('b')).toBe(false);
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
    expect(lru.size).toBe(2);
  });

  it('overwrites without growing and refreshes recency', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect(lru.get('a')).toBe(10);
    expect(lru.has('b')).toBe(false);
    expect(lru.size).toBe(2);
  });

  it('keeps undefined values distinct from misses', () => {
    const lru = new Lru<string, undefined>(1);
    lru.set('a', undefined);
    expect(lru.has('a')).toBe(true);
    expect(lru.get('a')).toBeUndefined();
  });

  it('deletes and clears', () => {
    const lru = new Lru<number, string>(3);
    lru.set(1, 'x').set(2, 'y');
    expect(lru.delete(1)).toBe(true);
    expect(lru.delete(1)).toBe(false);
    expect(lru.size).toBe(1);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.get(2)).toBeUndefined();
  });

  it('never holds more than its capacity', () => {
    const lru = new Lru<number, number>(10);
    for (let i = 0; i < 1000; i++) lru.set(i, i);
    expect(lru.size).toBe(10);
    expect(lru.has(989)).toBe(false);
    expect(lru.has(990)).toBe(true);
  });

  it.each([0, -1, 1.5, NaN])('rejects capacity %s', (n) => {
    expect(() => new Lru(n)).toThrow(RangeError);
  });
});
