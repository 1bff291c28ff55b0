import { describe, expect, it } from 'vitest';
import type { Collection, Field } from './collection.js';
import { analyzeViewQuery, viewQueryProblem } from './view-query.js';

const field = (name: string, type: string, hidden = false): Field => ({ id: `${type}_${name}`, name, type, system: false, hidden, presentable: false }) as Field;
const collection = (name: string, type: Collection['type'], fields: Field[]): Collection => ({
  id: `pbc_${name}`, name, type, system: false, listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
  fields, indexes: [], created: '', updated: '',
});

const users = collection('users', 'auth', [
  field('id', 'text'), field('password', 'password', true), field('tokenKey', 'text', true), field('email', 'email'),
  field('emailVisibility', 'bool'), field('name', 'text'), field('note', 'text', true),
]);
const posts = collection('posts', 'base', [field('id', 'text'), field('title', 'text'), field('author', 'relation'), field('users', 'relation')]);
const all = [users, posts];

describe('viewQueryProblem', () => {
  it.each([
    'SELECT id, title FROM posts',
    'SELECT p.id, p.title, u.name FROM posts p LEFT JOIN users u ON u.id = p.author',
    'SELECT id, users FROM posts',
    'SELECT id, (SELECT count(*) FROM users) AS n FROM posts',
    "SELECT id, 'password' AS label, 2 * 3 AS six FROM posts",
    'SELECT p.id FROM posts p WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = p.author)',
  ])('accepts %s', (query) => {
    expect(viewQueryProblem(query, all)).toBeNull();
  });

  it.each([
    ['SELECT * FROM posts', /Wildcard/],
    ['SELECT DISTINCT * FROM posts', /Wildcard/],
    ['SELECT p.id FROM posts p WHERE EXISTS (SELECT * FROM users)', /Wildcard/],
    ['SELECT id, PassWord FROM users', /"PassWord"/],
    ['SELECT id, length("tokenKey") AS n FROM users', /tokenKey/],
    ['SELECT p.id, (SELECT u.password FROM users u WHERE u.id = p.author) AS h FROM posts p', /password/],
    ['SELECT p.id, row_to_json(u) AS j FROM posts p JOIN users AS u ON u.id = p.author', /whole rows of "users"/],
    ['SELECT id, users::text AS t FROM users', /whole rows/],
    ['SELECT 1 AS id; DELETE FROM posts', /one SELECT statement/],
  ])('refuses %s', (query, message) => {
    expect(viewQueryProblem(query, all)).toMatch(message);
  });
});

describe('analyzeViewQuery', () => {
  it('traces plain references through aliases and marks sensitive expressions', () => {
    const { columns } = analyzeViewQuery(
      'SELECT p.id, p.title AS heading, u.email, u."emailVisibility" vis, upper(u.note) AS loud, x.email AS other FROM posts p JOIN users u ON u.id = p.author, (SELECT email FROM users) x',
      all,
    );
    expect(columns.map((c) => [c.name, c.origin ? `${c.origin.alias}.${c.origin.field.name}` : null, c.sensitive])).toEqual([
      ['id', 'p.id', false],
      ['heading', 'p.title', false],
      ['email', 'u.email', false],
      ['vis', 'u.emailVisibility', false],
      ['loud', null, true],
      ['other', null, true],
    ]);
  });
});
