import { describe, expect, it } from 'vitest';
import { ExpandBudget, MAX_EXPAND_BYTES, MAX_EXPAND_READS, MAX_EXPANDED_RECORDS, estimateJsonSize, isExpandTooLarge } from './expand-budget.js';

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('ExpandBudget', () => {
  it('allows up to each limit and refuses one past it with a 400', () => {
    const budget = new ExpandBudget();
    expect(thrown(() => budget.placed({ records: MAX_EXPANDED_RECORDS, bytes: MAX_EXPAND_BYTES }))).toBeUndefined();
    for (const w of [{ records: MAX_EXPANDED_RECORDS + 1, bytes: 0 }, { records: 1, bytes: MAX_EXPAND_BYTES + 1 }]) {
      const err = thrown(() => budget.placed(w));
      expect(isExpandTooLarge(err)).toBe(true);
      expect(err).toMatchObject({ status: 400, data: {} });
    }
  });

  it('counts reads across calls', () => {
    const budget = new ExpandBudget();
    budget.read(MAX_EXPAND_READS - 10);
    expect(budget.readsLeft()).toBe(10);
    expect(thrown(() => budget.read(10))).toBeUndefined();
    expect(isExpandTooLarge(thrown(() => budget.read(1)))).toBe(true);
  });
});

describe('estimateJsonSize', () => {
  it.each([
    [{}],
    [{ id: 'abc', title: 'Hello', n: 12, ok: true, none: null }],
    [{ id: 'x', tags: ['a', 'b'], meta: { a: [1, 2, { b: 'c' }] }, body: 'y'.repeat(5000) }],
  ])('is close to what JSON.stringify writes for %#', (json) => {
    const actual = JSON.stringify(json).length;
    const estimate = estimateJsonSize(json as Record<string, unknown>);
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThanOrEqual(actual + 8 * Object.keys(json).length + 2);
  });
});
