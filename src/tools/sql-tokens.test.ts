import { describe, expect, it } from 'vitest';
import { isOneExpression, singleStatement, SqlTokenError, tokenizeSql } from './sql-tokens.js';

describe('tokenizeSql', () => {
  it('reads each engine\'s quoting', () => {
    const values = (text: string, g: 'sqlite' | 'postgres') => tokenizeSql(text, g).tokens.map((t) => `${t.kind}:${t.value}`);
    expect(values(`SELECT "a""b", [c d], \`e\`, 'x''y' FROM t`, 'sqlite')).toEqual([
      'word:SELECT', 'ident:a"b', 'punct:,', 'ident:c d', 'punct:,', 'ident:e', 'punct:,', "string:'x''y'", 'word:FROM', 'word:t',
    ]);
    expect(values(`SELECT E'\\';', $q$;$q$, a$$b, $1 -- ;\n`, 'postgres')).toEqual([
      'word:SELECT', "string:E'\\';'", 'punct:,', 'string:$q$;$q$', 'punct:,', 'word:a$$b', 'punct:,', 'punct:$', 'number:1',
    ]);
  });

  it('nests block comments on PostgreSQL only', () => {
    expect(tokenizeSql('/* /* */ ; */', 'postgres').tokens).toEqual([]);
    expect(tokenizeSql('/* /* */ ; */', 'sqlite').tokens.map((t) => t.value)).toEqual([';', '*', '/']);
  });

  it.each(["'x", '"x', '/* x', "E'\\'", '$$x', 'a\0b'])('refuses %j', (text) => {
    expect(() => tokenizeSql(text, 'postgres')).toThrow(SqlTokenError);
  });
});

describe('singleStatement', () => {
  it.each([
    ['SELECT 1;', 'SELECT 1'],
    ["SELECT ';' ;  ; ", "SELECT ';'"],
    ['SELECT $$ab$$', 'SELECT $$ab$$'],
  ])('accepts %j', (text, out) => {
    expect(singleStatement(text)).toBe(out);
  });

  it.each([
    'SELECT 1; DROP TABLE t',
    "SELECT E'\\''; DROP TABLE t; SELECT E'\\''",
    "SELECT 'a\\''; DROP TABLE t; SELECT 'b\\''",
    'SELECT $$a$$; DROP TABLE t',
    // SQLite would read this `;` as a separator: refused although PostgreSQL reads a literal.
    'SELECT $$a;b$$',
    'SELECT 1 /* /* */ ; DROP TABLE t; /* */',
    'SELECT 1 -- x\r; DROP TABLE t',
    "SELECT [x'] ; DROP TABLE t; SELECT [']",
  ])('refuses %j', (text) => {
    expect(() => singleStatement(text)).toThrow(SqlTokenError);
  });
});

describe('isOneExpression', () => {
  it.each(["a != ''", "a = 'x;y'", '(a > 1 AND b IS NULL)'])('accepts %j', (text) => {
    expect(isOneExpression(text)).toBe(true);
  });
  it.each(['', 'a = $$;$$', 'a = 1; DROP TABLE t', 'a = 1 -- x', 'a = 1 /* x */', '(a', 'a)', "a = E'\\''; DROP TABLE t; SELECT E'\\''"])('refuses %j', (text) => {
    expect(isOneExpression(text)).toBe(false);
  });
});
