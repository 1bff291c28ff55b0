import { describe, expect, it } from 'vitest';
import { isCheapPerRow } from './filter-cost.js';
import { parseFilter } from './parser.js';

describe('isCheapPerRow', () => {
  it.each([
    ["category = 'a'", true],
    ['owner = @request.auth.id && price > 10', true],
    ['created >= @todayStart || status = null', true],
    ['a = 1 && b = 2 && c = 3 && d = 4 && e = 5 && f = 6 && g = 7 && h = 8', true],
    ['a = 1 && b = 2 && c = 3 && d = 4 && e = 5 && f = 6 && g = 7 && h = 8 && i = 9', false],
    ["name ~ 'shoe'", false],
    ["author.name = 'x'", false],
    ["comments_via_post.text = 'x'", false],
    ['tags:length > 2', false],
    ["@collection.users.email = 'x'", false],
    ["@request.auth.team.name = 'x'", false],
    ["strftime('%Y', created) = '2024'", false],
  ])('%s → %s', (filter, cheap) => {
    expect(isCheapPerRow(parseFilter(filter))).toBe(cheap);
  });
});
