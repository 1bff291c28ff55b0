import { describe, expect, it } from 'vitest';
import { buildIndex, findSingleColumnUniqueIndex, parseIndex, renameIndexTable } from './index-parse.js';

describe('parseIndex', () => {
  it.each([
    [
      'CREATE INDEX `idx_title` ON `posts` (`title`)',
      { unique: false, ifNotExists: false, name: 'idx_title', table: 'posts', columns: [{ name: 'title' }], where: '' },
    ],
    [
      "CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''",
      { unique: true, ifNotExists: false, name: 'idx_email_x', table: 'users', columns: [{ name: 'email' }], where: "`email` != ''" },
    ],
    [
      'create unique index if not exists "a1" on [t] ( a COLLATE NOCASE desc , `b` ASC );',
      {
        unique: true,
        ifNotExists: true,
        name: 'a1',
        table: 't',
        columns: [{ name: 'a', collate: 'NOCASE', sort: 'DESC' }, { name: 'b', sort: 'ASC' }],
        where: '',
      },
    ],
    [
      'CREATE INDEX\n  idx ON posts\n(title, created)',
      { unique: false, ifNotExists: false, name: 'idx', table: 'posts', columns: [{ name: 'title' }, { name: 'created' }], where: '' },
    ],
  ])('parses %s', (sql, expected) => {
    expect(parseIndex(sql)).toEqual(expected);
  });

  it.each([
    '',
    'CREATE TABLE x (a)',
    'CREATE INDEX ON posts (a)',
    'CREATE INDEX idx posts (a)',
    'CREATE INDEX idx ON posts ()',
    'CREATE INDEX idx ON posts (a',
    'CREATE INDEX idx ON posts (lower(a))',
    'CREATE INDEX `bad name` ON posts (a)',
    'CREATE INDEX idx ON posts (`a b`)',
    'CREATE INDEX idx ON posts (a) WHERE',
    'CREATE INDEX idx ON posts (a) WHERE a = 1; DROP TABLE posts',
    'CREATE INDEX idx ON posts (a) WHERE a = 1 -- x',
    'CREATE INDEX idx ON posts (a) WHERE a = 1 /* x */',
    "CREATE INDEX idx ON posts (a) WHERE a = 'x",
    'CREATE INDEX idx ON posts (a) WHERE (a = 1',
    'CREATE INDEX idx ON posts (a) garbage',
  ])('rejects %j', (sql) => {
    expect(parseIndex(sql)).toBeNull();
  });

  it('allows a semicolon inside a quoted WHERE literal', () => {
    expect(parseIndex("CREATE INDEX i ON t (a) WHERE a != 'x;y'")?.where).toBe("a != 'x;y'");
  });
});

describe('buildIndex', () => {
  it.each([
    'CREATE INDEX `idx_title` ON `posts` (`title`)',
    "CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''",
    'CREATE UNIQUE INDEX IF NOT EXISTS `a1` ON `t` (`a` COLLATE NOCASE DESC, `b` ASC)',
  ])('round-trips %s', (sql) => {
    expect(buildIndex(parseIndex(sql)!)).toBe(sql);
  });

  it('normalises quoting and rewrites the table', () => {
    expect(renameIndexTable('create index "i" on old ("a" desc)', 'posts')).toBe('CREATE INDEX `i` ON `posts` (`a` DESC)');
  });

  it('leaves unparseable text alone', () => {
    expect(renameIndexTable('nonsense', 'posts')).toBe('nonsense');
  });
});

describe('findSingleColumnUniqueIndex', () => {
  const indexes = [
    'CREATE UNIQUE INDEX a ON t (x, y)',
    'CREATE INDEX b ON t (z)',
    "CREATE UNIQUE INDEX c ON t (Email) WHERE email != ''",
  ];
  it.each([
    ['email', 'c'],
    ['x', undefined],
    ['z', undefined],
  ])('%s → %s', (column, name) => {
    expect(findSingleColumnUniqueIndex(indexes, column)?.name).toBe(name);
  });
});
