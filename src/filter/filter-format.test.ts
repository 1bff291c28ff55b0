import { describe, expect, it } from 'vitest';
import { formatFilter } from './filter-format.js';
import { parseFilter } from './parser.js';

describe('formatFilter', () => {
  const cases: [string, string][] = [
    ['a = 1', 'a = 1'],
    ["title ~ 'x\"y' && (b > 2 || c ?= @request.auth.id)", 'title ~ "x\\"y" && (b > 2 || c ?= @request.auth.id)'],
    ['a=1||b=2&&c=3', 'a = 1 || (b = 2 && c = 3)'],
    ["geoDistance(lon, lat, 1.5, 2) < 10", 'geoDistance(lon, lat, 1.5, 2) < 10'],
    ["name = 'line\\nbreak\\\\'", 'name = "line\\nbreak\\\\"'],
  ];
  it.each(cases)('writes %s as %s, which parses to the same tree', (source, text) => {
    const node = parseFilter(source);
    expect(formatFilter(node)).toBe(text);
    expect(parseFilter(formatFilter(node))).toEqual(node);
  });
});
