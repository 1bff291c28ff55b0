import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import type { CompareNode, CompareOp, FilterNode, Operand } from './ast.js';
import { clearFilterCache, parseFilterCached } from './filter-cache.js';
import { FilterError } from './filter-error.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_EXPRESSIONS, MAX_FILTER_LENGTH } from './filter-limits.js';
import { parseFilter } from './parser.js';

const id = (name: string): Operand => ({ kind: 'identifier', name });
const txt = (value: string): Operand => ({ kind: 'text', value });
const num = (raw: string): Operand => ({ kind: 'number', value: Number(raw), raw });
const fn = (name: string, ...args: Operand[]): Operand => ({ kind: 'function', name, args });
const cmp = (left: Operand, op: string, right: Operand): CompareNode => ({
  kind: 'compare',
  op: op.replace(/^\?/, '') as CompareOp,
  any: op.startsWith('?'),
  left,
  right,
});
const and = (...items: FilterNode[]): FilterNode => ({ kind: 'logical', op: 'and', items });
const or = (...items: FilterNode[]): FilterNode => ({ kind: 'logical', op: 'or', items });
const a1 = cmp(id('a'), '=', num('1'));
const b2 = cmp(id('b'), '=', num('2'));
const c3 = cmp(id('c'), '=', num('3'));
const d4 = cmp(id('d'), '=', num('4'));

/** Runs parseFilter and returns the FilterError it throws, failing if it throws anything else. */
function rejection(text: string, options?: Parameters<typeof parseFilter>[1]): FilterError {
  try {
    parseFilter(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(FilterError);
    return err as FilterError;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 80))} to be rejected`);
}

const OPS = ['=', '!=', '>', '>=', '<', '<=', '~', '!~', '?=', '?!=', '?>', '?>=', '?<', '?<=', '?~', '?!~'];

describe('parseFilter: operators', () => {
  it.each(OPS)('parses %s', (op) => {
    expect(parseFilter(`title ${op} "x"`)).toEqual(cmp(id('title'), op, txt('x')));
    expect(parseFilter(`title${op}"x"`)).toEqual(cmp(id('title'), op, txt('x')));
  });

  it('marks ? operators as any', () => {
    expect(parseFilter('tags:each ?= "a"')).toMatchObject({ op: '=', any: true });
    expect(parseFilter('tags:each != "a"')).toMatchObject({ op: '!=', any: false });
  });
});

describe('parseFilter: accepted input', () => {
  const cases: [string, FilterNode][] = [
    ['a=1', a1],
    ['a = 1 && b = 2', and(a1, b2)],
    ['a = 1 || b = 2', or(a1, b2)],
    ['a=1 || b=2 && c=3', or(a1, and(b2, c3))],
    ['a=1 && b=2 || c=3', or(and(a1, b2), c3)],
    ['a=1 && b=2 || c=3 && d=4', or(and(a1, b2), and(c3, d4))],
    ['a=1 && b=2 && c=3', and(a1, b2, c3)],
    ['a=1 || b=2 || c=3 || d=4', or(a1, b2, c3, d4)],
    ['(a=1 || b=2) && c=3', and(or(a1, b2), c3)],
    ['a=1 && (b=2 || c=3)', and(a1, or(b2, c3))],
    ['(a=1)', a1],
    ['((((a=1))))', a1],
    ['(a=1 && b=2) && c=3', and(a1, b2, c3)],
    ['(a=1 || b=2) || (c=3 || d=4)', or(a1, b2, c3, d4)],
    ['((a=1 || b=2) && (c=3 || d=4))', and(or(a1, b2), or(c3, d4))],
    // whitespace: space, tab, LF, CR
    [' \t\r\na\r\n=\t1 \n', a1],
    // comments
    ['a=1 // trailing comment', a1],
    ['// leading\na=1', a1],
    ['a=1 // c1\n&& // c2\r\nb=2', and(a1, b2)],
    ['a = "x // not a comment"', cmp(id('a'), '=', txt('x // not a comment'))],
    // operands on either side
    ['1 = a', cmp(num('1'), '=', id('a'))],
    ['"x" != \'y\'', cmp(txt('x'), '!=', txt('y'))],
    ['a.b.c = d.e', cmp(id('a.b.c'), '=', id('d.e'))],
    ['@request.auth.id != ""', cmp(id('@request.auth.id'), '!=', txt(''))],
    ['@request.body.role:isset = false', cmp(id('@request.body.role:isset'), '=', id('false'))],
    ['@collection.users:alias.email ?= x', cmp(id('@collection.users:alias.email'), '?=', id('x'))],
    ['name:lower ~ "ab"', cmp(id('name:lower'), '~', txt('ab'))],
    ['#tag = _x', cmp(id('#tag'), '=', id('_x'))],
    ['__ = @now', cmp(id('__'), '=', id('@now'))],
    ['meta.a.0 = null', cmp(id('meta.a.0'), '=', id('null'))],
    ['x = NULL', cmp(id('x'), '=', id('NULL'))],
    // numbers
    ['a = -1', cmp(id('a'), '=', num('-1'))],
    ['a>-1.5', cmp(id('a'), '>', num('-1.5'))],
    ['a = 0.25', cmp(id('a'), '=', num('0.25'))],
    ['a = 007', cmp(id('a'), '=', num('007'))],
    ['a = 12345678901234567890', cmp(id('a'), '=', num('12345678901234567890'))],
    // text escapes
    ['a = "say \\"hi\\""', cmp(id('a'), '=', txt('say "hi"'))],
    ["a = 'it\\'s'", cmp(id('a'), '=', txt("it's"))],
    // Escapes as fexpr 0.6 and Go's strconv.Quote write them (docs/api.md §4.1); any other backslash stays.
    ["a = 'keep \\\" here'", cmp(id('a'), '=', txt('keep " here'))],
    ['a = "c:\\\\path\\n\\r\\t"', cmp(id('a'), '=', txt('c:\\path\n\r\t'))],
    ['a = "\\\\\\""', cmp(id('a'), '=', txt('\\"'))],
    ['a = "ends in backslash\\\\"', cmp(id('a'), '=', txt('ends in backslash\\'))],
    ['a = "\\u0041\\u00e9\\ud83d\\ude00"', cmp(id('a'), '=', txt('Aé😀'))],
    ['a = "lone \\ud800 surrogate"', cmp(id('a'), '=', txt('lone \ufffd surrogate'))],
    ['a = "\\q \\u12 \\u12G4 \\x41"', cmp(id('a'), '=', txt('\\q \\u12 \\u12G4 \\x41'))],
    ['a = ""', cmp(id('a'), '=', txt(''))],
    ['a = "ünïcødé 🚀 中文"', cmp(id('a'), '=', txt('ünïcødé 🚀 中文'))],
    ['a = "line\nbreak"', cmp(id('a'), '=', txt('line\nbreak'))],
    // functions
    ['geoDistance(a.lon, a.lat, 23.32, 42.69) < 25', cmp(fn('geoDistance', id('a.lon'), id('a.lat'), num('23.32'), num('42.69')), '<', num('25'))],
    ['strftime("%Y", created,) = "2024"', cmp(fn('strftime', txt('%Y'), id('created')), '=', txt('2024'))],
    ['f() = 1', cmp(fn('f'), '=', num('1'))],
    ['a = f(g(h(1)))', cmp(id('a'), '=', fn('f', fn('g', fn('h', num('1')))))],
    ['f( 1 , "x" ,y ) = 1', cmp(fn('f', num('1'), txt('x'), id('y')), '=', num('1'))],
    ['f(1,2,3,4,5,6,7,8,9,10) = 1', cmp(fn('f', ...'1,2,3,4,5,6,7,8,9,10'.split(',').map(num)), '=', num('1'))],
    ['f(1,2,3,4,5,6,7,8,9,10,) = 1', cmp(fn('f', ...'1,2,3,4,5,6,7,8,9,10'.split(',').map(num)), '=', num('1'))],
    // hostile but valid: values stay values
    ["a = '; DROP TABLE x; --'", cmp(id('a'), '=', txt('; DROP TABLE x; --'))],
    ['a = "1\' OR \'1\'=\'1"', cmp(id('a'), '=', txt("1' OR '1'='1"))],
    ['a = "\u0000\u202e"', cmp(id('a'), '=', txt('\u0000\u202e'))],
  ];

  it.each(cases)('%j', (input, ast) => {
    expect(parseFilter(input)).toEqual(ast);
  });
});

describe('parseFilter: rejected input', () => {
  const cases: [string, RegExp][] = [
    ['', /empty expression/],
    ['   \n\t ', /empty expression/],
    ['// only a comment', /empty expression/],
    ['()', /empty group/],
    ['a=1 && ()', /empty group/],
    ['(a=1', /unbalanced '\(' at 0/],
    ['((a=1)', /unbalanced '\('/],
    ['a=1)', /unbalanced '\)' at 3/],
    ['(a=1))', /unbalanced '\)'/],
    [')', /unexpected token '\)'/],
    ['a', /incomplete expression/],
    ['a =', /incomplete expression/],
    ['a = 1 &&', /incomplete expression/],
    ['a = 1 ||', /incomplete expression/],
    ['&& a = 1', /unexpected token '&&'/],
    ['a = 1 b = 2', /expected '&&' or '\|\|'/],
    ['a = 1 && && b = 2', /unexpected token '&&'/],
    ['a b', /unexpected token 'b', expected an operator/],
    ['a = b = c', /expected '&&'/],
    ['= 1', /unexpected token '='/],
    ['a = (b)', /unexpected token '\('/],
    ['(a) = 1', /unexpected token '\)'/],
    ['a == 1', /invalid operator '=='/],
    ['a => 1', /invalid operator '=>'/],
    ['a ! 1', /invalid operator '!'/],
    ['a ?? 1', /invalid operator '\?\?'/],
    ['a = 1 & b = 2', /invalid join '&'/],
    ['a = 1 ||| b = 2', /invalid join '\|\|\|'/],
    ['a = 1 and b = 2', /unexpected token 'and'/],
    // numbers
    ['a = 1.', /invalid number '1\.'/],
    ['a = .5', /unexpected character '\.'/],
    ['a = 1e5', /invalid number '1e5'/],
    ['a = --1', /unexpected character '-'/],
    ['a = - 1', /unexpected character '-'/],
    ['a = 1.2.3', /invalid number/],
    ['a = 1..2', /invalid number/],
    ['a = 0x10', /invalid number/],
    ['a = 1abc', /invalid number/],
    ['a = -b', /unexpected character '-'/],
    [`a = ${'9'.repeat(400)}`, /out of range/],
    // identifiers
    ['@ = 1', /invalid identifier '@'/],
    ['_ = 1', /invalid identifier '_'/],
    ['# = 1', /invalid identifier '#'/],
    ['a. = 1', /invalid identifier 'a\.'/],
    ['a: = 1', /invalid identifier 'a:'/],
    ['a.b: = 1', /invalid identifier/],
    ['ünï = 1', /unexpected character 'ü'/],
    ['a-b = 1', /unexpected character '-'/],
    ['$a = 1', /unexpected character '\$'/],
    ['a = `b`', /unexpected character '`'/],
    ['a = 1;', /unexpected character ';'/],
    ['a = 1 / 2', /unexpected character '\/'/],
    ['a\f= 1', /U\+000C/],
    ['a\u00a0= 1', /unexpected character/],
    // text
    ['a = "open', /unterminated quoted text at 4/],
    ["a = 'mixed\"", /unterminated/],
    ['a = "ends in backslash\\"', /unterminated/],
    // functions
    ['a = f(1', /incomplete expression/],
    ['a = f(1 2)', /unexpected number|unexpected token '2'/],
    ['a = f(,)', /unexpected token ','/],
    ['a = f(1,,2)', /unexpected token ','/],
    ['a = f (1)', /unexpected token '\('|expected '&&'/],
    ['a = f((1))', /unexpected token '\('/],
    ['a = f(a=1)', /unexpected token '='/],
    ['a = f(g(h(i(1))))', /functions nested deeper than 3/],
    ['a = f(1,2,3,4,5,6,7,8,9,10,11)', /at most 10 arguments/],
    ['a = @f(1)', /invalid function name '@f'/],
    ['a = a.b(1)', /invalid function name/],
    ['a , b = 1', /unexpected token ','/],
  ];

  it.each(cases)('%j', (input, reason) => {
    const err = rejection(input);
    expect(err.status).toBe(400);
    expect(err).toBeInstanceOf(AppError);
    expect(err.message).toBe('Something went wrong while processing your request.');
    expect(err.reason).toMatch(reason);
  });
});

describe('parseFilter: limits and hostile input', () => {
  const nest = (n: number): string => `${'('.repeat(n)}a=1${')'.repeat(n)}`;

  it('accepts parentheses nested to the limit and rejects one level more', () => {
    expect(parseFilter(nest(MAX_FILTER_DEPTH), { maxLength: Infinity })).toEqual(a1);
    // Every nesting a client filter's length allows parses.
    expect(parseFilter(nest((MAX_FILTER_LENGTH - 3) / 2 | 0))).toEqual(a1);
    expect(rejection(nest(MAX_FILTER_DEPTH + 1), { maxLength: Infinity }).reason).toMatch(/nested deeper than 2000/);
  });

  it('rejects input over the length limit, and honours an override', () => {
    const long = `a = "${'x'.repeat(10_000)}"`;
    expect(rejection(long).reason).toMatch(/longer than 3500/);
    expect(parseFilter(long, { maxLength: 20_000 })).toEqual(cmp(id('a'), '=', txt('x'.repeat(10_000))));
    const exact = `a = "${'x'.repeat(MAX_FILTER_LENGTH - 6)}"`;
    expect(exact).toHaveLength(MAX_FILTER_LENGTH);
    expect(parseFilter(exact)).toMatchObject({ kind: 'compare' });
    expect(rejection(`${exact} `).reason).toMatch(/longer than/);
  });

  it('rejects 100k opening parentheses cleanly, even with the length limit lifted', () => {
    const parens = '('.repeat(100_000);
    expect(rejection(parens).reason).toMatch(/longer than/);
    expect(rejection(parens, { maxLength: Infinity }).reason).toMatch(/nested deeper/);
    expect(rejection(`${parens}a=1${')'.repeat(100_000)}`, { maxLength: Infinity }).reason).toMatch(/nested deeper/);
  });

  it('caps comparison expressions at 200, overridable', () => {
    const many = (n: number): string => Array.from({ length: n }, (_, i) => `a=${i}`).join('&&');
    const ok = parseFilter(many(MAX_FILTER_EXPRESSIONS));
    expect(ok.kind === 'logical' && ok.items.length).toBe(MAX_FILTER_EXPRESSIONS);
    expect(rejection(many(MAX_FILTER_EXPRESSIONS + 1)).reason).toMatch(/more than 200 comparison/);
    expect(parseFilter(many(300), { maxLength: 10_000, maxExpressions: 300 })).toMatchObject({ kind: 'logical' });
  });

  it.each([
    ["'; DROP TABLE x; --"],
    ['a = 1; DROP TABLE x'],
    ['a = 1 -- comment'],
    ['a = 1 /* c */'],
    ["a = '1' OR 1=1"],
    ['\\'],
    ['"'],
    ["'"],
    ['\\"\\\''],
    ['\u0000'],
    ['\ud800'],
    ['🚀 = 1'],
  ])('rejects %j with a FilterError', (input) => {
    expect(rejection(input).status).toBe(400);
  });

  it('never throws anything but a FilterError (arbitrary strings)', () => {
    const check = (s: string): void => {
      try {
        const node = parseFilter(s);
        expect(['logical', 'compare']).toContain(node.kind);
      } catch (err) {
        expect(err).toBeInstanceOf(FilterError);
        expect((err as FilterError).status).toBe(400);
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 5000 }), check), { numRuns: 200 });
  });

  it('never throws anything but a FilterError (grammar-shaped token soup)', () => {
    const token = fc.oneof(
      fc.constantFrom(...OPS, '&&', '||', '(', ')', ',', ' ', '\n', '// c\n', '"', "'", '\\', '-', '.', ':', '@', '#', '_'),
      fc.constantFrom('a', 'b.c', '@request.auth.id', 'tags:each', 'null', '1', '-2.5', '1.', 'f(', 'geoDistance(', '"x"', "'y'", '"a\\"b"'),
      fc.stringMatching(/^[a-z@#_][a-z0-9_.:]{0,6}$/),
      fc.integer().map(String),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => {
        try {
          parseFilter(parts.join(''));
        } catch (err) {
          expect(err).toBeInstanceOf(FilterError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips generated well-formed expressions', () => {
    const operand = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_]{0,5}(\.[a-z0-9_]{1,4}){0,2}$/).map((name) => ({ src: name, ast: id(name) })),
      fc.integer({ min: -1000, max: 1000 }).map((n) => ({ src: String(n), ast: num(String(n)) })),
      fc
        .string({ unit: 'binary', maxLength: 8 })
        .filter((s) => !s.includes('\\'))
        .map((s) => ({ src: `"${s.replaceAll('"', '\\"')}"`, ast: txt(s) })),
    );
    const leaf = fc.tuple(operand, fc.constantFrom(...OPS), operand).map(([l, op, r]) => ({ src: `${l.src} ${op} ${r.src}`, ast: cmp(l.ast, op, r.ast) as FilterNode }));
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 6 }), fc.boolean(), (leaves, useOr) => {
        const src = leaves.map((l) => `(${l.src})`).join(useOr ? ' || ' : ' && ');
        const expected = leaves.length === 1 ? leaves[0]!.ast : useOr ? or(...leaves.map((l) => l.ast)) : and(...leaves.map((l) => l.ast));
        expect(parseFilter(src)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseFilterCached', () => {
  it('returns the same frozen AST for the same text', () => {
    clearFilterCache();
    const first = parseFilterCached('a=1 && b=2');
    expect(parseFilterCached('a=1 && b=2')).toBe(first);
    expect(first).toEqual(and(a1, b2));
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.kind === 'logical' && Object.isFrozen(first.items[0]!)).toBe(true);
    expect(() => {
      (first as { kind: string }).kind = 'x';
    }).toThrow(TypeError);
  });

  it('keys by limits so a long rule does not leak to client filters', () => {
    const long = `a = "${'x'.repeat(4000)}"`;
    expect(parseFilterCached(long, { maxLength: 10_000 })).toMatchObject({ kind: 'compare' });
    expect(() => parseFilterCached(long)).toThrow(FilterError);
  });

  it('throws FilterError for rejected input every time', () => {
    expect(() => parseFilterCached('a =')).toThrow(FilterError);
    expect(() => parseFilterCached('a =')).toThrow(FilterError);
  });
});
