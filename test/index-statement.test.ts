/**
 * The dashboard's index form reads and writes statements (dashboard/src/pages/schema/index-statement.ts,
 * docs/dashboard.md "Collections editor"): each column's collation and sort order survive a round trip,
 * whatever the quoting; a statement it cannot read is left to the raw SQL editor.
 */
import { describe, expect, it } from 'vitest';
import { indexStatement, parseIndex } from '../dashboard/src/pages/schema/index-statement.js';
import { parseIndex as parseOnServer } from '../src/tools/index-parse.js';

describe('the index form statements', () => {
  it.each([
    ['CREATE INDEX `idx_a` ON `posts` (`title`)', 'CREATE INDEX `idx_a` ON `posts` (`title`)'],
    ['CREATE UNIQUE INDEX idx_b ON posts (code COLLATE nocase desc, n ASC)', 'CREATE UNIQUE INDEX `idx_b` ON `posts` (`code` COLLATE NOCASE DESC, `n` ASC)'],
    ['create index "idx_c" on "posts" ("slug" COLLATE RTRIM) WHERE slug != \'\'', 'CREATE INDEX `idx_c` ON `posts` (`slug` COLLATE RTRIM) WHERE slug != \'\''],
    ['CREATE INDEX [idx_d] ON [posts] ([a] DESC, [b])', 'CREATE INDEX `idx_d` ON `posts` (`a` DESC, `b`)'],
  ])('reads %s and writes it back as the server stores it', (sql, written) => {
    const spec = parseIndex(sql);
    expect(spec).not.toBeNull();
    expect(indexStatement(spec!, 'posts')).toBe(written);
    // The server reads the written statement to the same columns.
    const server = parseOnServer(written)!;
    expect(server.columns).toEqual(spec!.columns.map((c) => ({ name: c.name, ...(c.collate ? { collate: c.collate } : {}), ...(c.order ? { sort: c.order } : {}) })));
  });

  it.each([
    'CREATE INDEX idx_e ON posts (lower(title))',
    'CREATE INDEX idx_f ON posts (title COLLATE NOCASE ASC DESC)',
    'CREATE INDEX idx_g ON posts (title COLLATE "C")',
  ])('leaves %s to the SQL editor', (sql) => {
    expect(parseIndex(sql)).toBeNull();
  });
});
