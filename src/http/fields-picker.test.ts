import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { htmlExcerpt, isListResult, parseFieldsPicker, pickFields } from './fields-picker.js';

describe('pickFields', () => {
  const nested = {
    a: 1,
    b: 2,
    c: 'test',
    anySlice: [
      { A: [1, 2, 3], B: ['1', '2', 3], C: 'test', D: { DA: 1, DB: 2 } },
      { A: 'test' },
    ],
    mapSlice: [
      { A: [1, 2, 3], B: ['1', '2', 3], C: 'test', D: [{ DA: 1 }] },
      { B: ['1', '2', 3], D: [{ DA: 2 }, { DA: 3 }, { DB: 4 }] },
    ],
    fullMap: [
      { A: [1, 2, 3], B: ['1', '2', 3], C: 'test' },
      { B: ['1', '2', 3], D: [{ DA: 2 }, { DA: 3 }] },
    ],
  };
  const record = { id: '123', title: 'lorem', rel: { id: '456', title: 'rel_title', sub: { id: '789', title: 'sub_title' } } };

  it.each<[string, unknown, string, unknown]>([
    ['empty fields', { a: 1, b: 2 }, '', { a: 1, b: 2 }],
    ['blank fields', { a: 1, b: 2 }, '  ', { a: 1, b: 2 }],
    ['missing field', { a: 1, b: 2, c: 'test' }, 'missing', {}],
    ['non-object data', 'test', 'a,b', 'test'],
    ['array of scalars', ['a', 'b'], 'a', ['a', 'b']],
    ['existing and missing, trimmed', { a: 1, b: 2, c: 'test' }, 'a,  c  ,missing', { a: 1, c: 'test' }],
    ['array of objects', [{ a: 11, b: 11 }, { a: 22, b: 22 }], 'a', [{ a: 11 }, { a: 22 }]],
    [
      'nested paths through objects and arrays',
      nested,
      'a, c, anySlice.A, mapSlice.C, mapSlice.D.DA, anySlice.D,fullMap',
      {
        a: 1,
        c: 'test',
        anySlice: [{ A: [1, 2, 3], D: { DA: 1, DB: 2 } }, { A: 'test' }],
        mapSlice: [{ C: 'test', D: [{ DA: 1 }] }, { D: [{ DA: 2 }, { DA: 3 }, {}] }],
        fullMap: nested.fullMap,
      },
    ],
    ['root wildcard', record, '*', record],
    ['root wildcard with nested exception', record, '*,rel.id', { id: '123', title: 'lorem', rel: { id: '456' } }],
    ['sub wildcard', record, 'id,rel.*', { id: '123', rel: record.rel }],
    [
      'sub wildcard with nested exception',
      record,
      'id,rel.*,rel.sub.id',
      { id: '123', rel: { id: '456', title: 'rel_title', sub: { id: '789' } } },
    ],
    ['whole key wins over a sub path', record, 'rel,rel.id', { rel: record.rel }],
    ['auth response', { token: 't', record: { id: 'r', email: 'e' } }, 'token,record.id', { token: 't', record: { id: 'r' } }],
    ['expand path', { id: '1', expand: { author: { id: 'a', name: 'n' } } }, 'expand.author.name', { expand: { author: { name: 'n' } } }],
    [
      'excerpt modifiers',
      { id: '123', title: 'lorem', rel: { id: '456', title: '<p>rel_title</p>' } },
      '*:excerpt(2),rel.title:excerpt(3, true)',
      { id: '12', title: 'lo', rel: { title: 'rel...' } },
    ],
    ['excerpt leaves non-strings', { n: 12345, s: 'abcdef' }, 'n:excerpt(2),s:excerpt(2)', { n: 12345, s: 'ab' }],
    ['excerpt on a missing key', { a: 1 }, 'a,x:excerpt(3)', { a: 1 }],
  ])('%s', (_name, data, fields, expected) => {
    expect(pickFields(data, fields)).toEqual(expected);
  });

  it('does not mutate its input and runs toJSON', () => {
    const input = { a: 1, b: { toJSON: () => ({ c: 3, d: 4 }) } };
    expect(pickFields(input, 'b.c')).toEqual({ b: { c: 3 } });
    expect(input.a).toBe(1);
  });

  it.each([
    '*:excerpt',
    'a:excerpt()',
    'a:excerpt(0)',
    'a:excerpt(-1)',
    'a:excerpt(abc)',
    'a:excerpt(1,true,x)',
    'a:unknown(1)',
    'a:',
    'a:excerpt(1',
  ])('rejects the bad modifier %j with a 400', (fields) => {
    expect(() => pickFields({ a: 'x' }, fields)).toThrow(AppError);
    try {
      pickFields({ a: 'x' }, fields);
    } catch (err) {
      expect((err as AppError).status).toBe(400);
    }
  });
});

describe('FieldsPicker.pickList', () => {
  const list = {
    page: 1,
    perPage: 10,
    totalItems: 20,
    totalPages: 2,
    items: [{ a: 11, b: 11, c: 'test1' }, { a: 22, b: 22, c: 'test2' }],
  };

  it.each<[string, unknown]>([
    ['a,c,missing', [{ a: 11, c: 'test1' }, { a: 22, c: 'test2' }]],
    ['*', list.items],
    ['page', [{}, {}]],
  ])('%j picks inside items and keeps pagination', (fields, items) => {
    expect(parseFieldsPicker(fields).pickList(list)).toEqual({ page: 1, perPage: 10, totalItems: 20, totalPages: 2, items });
  });

  it.each<[unknown, boolean]>([
    [list, true],
    [{ page: 1, perPage: 1, totalItems: -1, totalPages: -1, items: [] }, true],
    [{ items: [] }, false],
    [{ page: 1, perPage: 1, items: {} }, false],
    [[], false],
    [null, false],
  ])('isListResult(%j) = %j', (value, expected) => {
    expect(isListResult(value)).toBe(expected);
  });
});

describe('htmlExcerpt', () => {
  const html =
    ' <script>var a = 123;</script>   <p>Hello</p><div id="test_id">t   est<b>12\n\t3</b><span>456</span></div>' +
    '<span>word <b>7</b> 89<span>!<b>?</b><b> a </b><b>b </b>c</span>#<h1>title</h1>';
  const plain = 'Hello t est12 3456 word 7 89!? a b c# title';

  it.each<[string, string, number, boolean, string]>([
    ['max < length', html, 2, false, plain.slice(0, 2)],
    ['max = length', html, plain.length, false, plain],
    ['max > length', html, plain.length + 5, false, plain],
    ['ellipsis when cut', html, 2, true, plain.slice(0, 2) + '...'],
    ['no ellipsis at exact length', html, plain.length, true, plain],
    ['no ellipsis when shorter', html, plain.length + 5, true, plain],
    ['multibyte within max', 'аб\nв ', 4, true, 'аб в'],
    ['multibyte cut by characters', 'аб\nв ', 3, true, 'аб...'],
    ['entities decoded', '<p>a &amp; b &lt;c&gt; &#33;&#x21;</p>', 100, false, 'a & b <c> !!'],
    ['comments and excluded elements dropped', 'a<!-- x --><style>p{}</style><form>f<form>g</form>h</form>b', 100, false, 'ab'],
    ['void excluded tags dropped', 'a<img src="x.png" alt="no">b<br>c', 100, false, 'abc'],
    ['attributes with >', '<a title="x>y">link</a> text', 100, false, 'link text'],
    ['block elements separate words', '<p>one</p><p>two</p><li>three</li>', 100, false, 'one two three'],
    ['literal < kept', 'a < b', 100, false, 'a < b'],
    ['plain text collapsed', '  many   \n spaces  ', 100, false, 'many spaces'],
    ['cut trims trailing space', 'abc def', 4, true, 'abc...'],
    ['excluded end tag matched whole and in any case', 'a<script>x<scriptx>y</Script >z<b>w</b>', 100, false, 'azw'],
    ['nested excluded elements counted', 'a<svg><svg>x</svg>y</svg>b', 100, false, 'ab'],
    ['unclosed excluded element drops the rest', 'a<script>' + '<script '.repeat(1000), 100, false, 'a'],
  ])('%s', (_name, input, max, ellipsis, expected) => {
    expect(htmlExcerpt(input, max, ellipsis)).toBe(expected);
  });
});
