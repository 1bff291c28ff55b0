import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SortItem } from './ast.js';
import { FilterError } from './filter-error.js';
import { MAX_SORT_FIELD_LENGTH, MAX_SORT_FIELDS } from './filter-limits.js';
import { parseSort } from './sort-parser.js';

const asc = (name: string): SortItem => ({ name, desc: false });
const desc = (name: string): SortItem => ({ name, desc: true });

describe('parseSort', () => {
  const accepted: [string, SortItem[]][] = [
    ['', []],
    ['   ', []],
    [',,', []],
    ['created', [asc('created')]],
    ['-created', [desc('created')]],
    ['+created', [asc('created')]],
    [' id', [asc('id')]], // `+id` after query-string decoding
    ['-created,title,+id', [desc('created'), asc('title'), asc('id')]],
    [' -created , title ,, +id ,', [desc('created'), asc('title'), asc('id')]],
    ['@random', [asc('@random')]],
    ['-@rowid', [desc('@rowid')]],
    ['author.name', [asc('author.name')]],
    ['title:lower', [asc('title:lower')]],
    ['-tags:length', [desc('tags:length')]],
    ['meta.a.0', [asc('meta.a.0')]],
    ['_x,x_1,1x', [asc('_x'), asc('x_1'), asc('1x')]],
    ['\t-a\n', [desc('a')]],
  ];

  it.each(accepted)('%j', (input, items) => {
    expect(parseSort(input)).toEqual(items);
  });

  const rejected: [string, RegExp][] = [
    ['-', /invalid sort field ''/],
    ['+', /invalid sort field ''/],
    ['--a', /invalid sort field '-a'/],
    ['-+a', /invalid sort field '\+a'/],
    ['- a', /invalid sort field ' a'/],
    ['a b', /invalid sort field 'a b'/],
    ['a.', /invalid sort field/],
    ['a:', /invalid sort field/],
    ['@', /invalid sort field/],
    ['@@a', /invalid sort field/],
    ['#a', /invalid sort field/],
    ['.a', /invalid sort field/],
    ['a;DROP TABLE x', /invalid sort field/],
    ['a)', /invalid sort field/],
    ['random()', /invalid sort field/],
    ['"a"', /invalid sort field/],
    ['ünï', /invalid sort field/],
    ['a,b,c,d,e,f,g,h,i', /more than 8 sort fields/],
    [`${'a'.repeat(MAX_SORT_FIELD_LENGTH + 1)}`, /longer than 255/],
  ];

  it.each(rejected)('rejects %j', (input, reason) => {
    try {
      parseSort(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FilterError);
      expect((err as FilterError).status).toBe(400);
      expect((err as FilterError).reason).toMatch(reason);
    }
  });

  it('accepts exactly the limits', () => {
    const eight = Array.from({ length: MAX_SORT_FIELDS }, (_, i) => `f${i}`).join(',');
    expect(parseSort(eight)).toHaveLength(MAX_SORT_FIELDS);
    expect(parseSort(`-${'a'.repeat(MAX_SORT_FIELD_LENGTH - 1)}`)).toHaveLength(1);
  });

  it('returns items or throws a FilterError, never anything else', () => {
    const check = (s: string): void => {
      try {
        for (const item of parseSort(s)) expect(item.name).toMatch(/^@?[\w][\w.:]*$/);
      } catch (err) {
        expect(err).toBeInstanceOf(FilterError);
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 1000 });
    const part = fc.constantFrom('a', '-b.c', '+@random', ' ', ',', '-', '+', ':', '.', 'x:lower', '@');
    fc.assert(fc.property(fc.array(part, { maxLength: 20 }), (parts) => check(parts.join(''))), { numRuns: 1000 });
  });
});
