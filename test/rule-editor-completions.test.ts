/**
 * The rule editor's proposals (dashboard/src/components/rule-editor/completions.ts,
 * docs/rule-editor.md): fields, relation paths, back-relations, modifiers, `@request…`,
 * `@collection…`, macros and functions, from the schemas alone.
 */
import { describe, expect, it } from 'vitest';
import type { CollectionModel } from 'pocketbase';
import { completionsFor, wordAtCaret } from '../dashboard/src/components/rule-editor/completions.js';

function collection(id: string, name: string, type: string, fields: Record<string, unknown>[]): CollectionModel {
  return { id, name, type, fields } as unknown as CollectionModel;
}

const users = collection('u1', 'users', 'auth', [{ name: 'id', type: 'text' }, { name: 'email', type: 'email' }, { name: 'role', type: 'select' }]);
const staff = collection('s1', 'staff', 'auth', [{ name: 'id', type: 'text' }, { name: 'email', type: 'email' }, { name: 'desk', type: 'text' }]);
const posts = collection('p1', 'posts', 'base', [
  { name: 'id', type: 'text' },
  { name: 'title', type: 'text' },
  { name: 'author', type: 'relation', collectionId: 'u1' },
]);
const comments = collection('c1', 'comments', 'base', [{ name: 'id', type: 'text' }, { name: 'post', type: 'relation', collectionId: 'p1' }, { name: 'body', type: 'editor' }]);
const all = [users, staff, posts, comments];
const texts = (word: string) => completionsFor(word, posts, all).map((c) => c.text);

describe('completionsFor', () => {
  it('proposes fields, back-relations, @request, @collection, macros and functions at the top level', () => {
    expect(texts('ti')).toEqual(['title']);
    expect(texts('a')).toEqual(['author']);
    expect(texts('com')).toEqual(['comments_via_post']);
    expect(texts('@re')).toEqual(['@request.auth.', '@request.body.', '@request.query.', '@request.headers.', '@request.method', '@request.context']);
    expect(texts('@today')).toEqual(['@todayStart', '@todayEnd']);
    expect(texts('geo')).toEqual(['geoDistance(']);
    expect(texts('strf')).toEqual(['strftime(']);
    expect(texts('@co')).toEqual(['@collection.']);
  });

  it('follows relation fields and back-relations through dotted paths', () => {
    expect(texts('author.')).toEqual(['author.id', 'author.email', 'author.role', 'author.posts_via_author']);
    expect(texts('author.r')).toEqual(['author.role']);
    expect(texts('comments_via_post.b')).toEqual(['comments_via_post.body']);
    expect(texts('comments_via_post.post.author.em')).toEqual(['comments_via_post.post.author.email']);
    expect(texts('title.')).toEqual([]);
    expect(texts('nope.x')).toEqual([]);
  });

  it('completes @request.auth from every auth collection, @request.body from this one, @collection by name', () => {
    expect(texts('@request.auth.')).toEqual(['@request.auth.id', '@request.auth.email', '@request.auth.role', '@request.auth.desk']);
    expect(texts('@request.body.au')).toEqual(['@request.body.author']);
    expect(texts('@request.body.author.e')).toEqual(['@request.body.author.email']);
    expect(texts('@request.query.')).toEqual([]);
    expect(texts('@collection.')).toEqual(['@collection.users.', '@collection.staff.', '@collection.posts.', '@collection.comments.']);
    expect(texts('@collection.comments.b')).toEqual(['@collection.comments.body']);
    expect(texts('@collection.comments:c.b')).toEqual(['@collection.comments:c.body']);
  });

  it('offers only the modifiers that apply where they are typed', () => {
    expect(texts('title:')).toEqual(['title:length', 'title:each', 'title:lower']);
    expect(texts('@request.body.title:')).toEqual([':isset', ':changed', ':length', ':each', ':lower'].map((m) => `@request.body.title${m}`));
    expect(texts('@request.query.k:i')).toEqual(['@request.query.k:isset']);
    expect(texts('author:le')).toEqual(['author:length']);
  });

  it('works without a collection, and never proposes the word itself', () => {
    expect(completionsFor('@now', undefined, [])).toEqual([]);
    expect(completionsFor('ti', undefined, []).map((c) => c.text)).toEqual([]);
    expect(completionsFor('@yea', undefined, []).map((c) => c.text)).toEqual(['@yearStart', '@yearEnd', '@year']);
  });

  it('stops at a path deeper than it follows', () => {
    expect(texts(`${'author.'.repeat(20)}e`)).toEqual([]);
  });
});

describe('wordAtCaret', () => {
  it('takes the identifier characters before the caret', () => {
    expect(wordAtCaret('a = @request.au', 15)).toEqual({ start: 4, word: '@request.au' });
    expect(wordAtCaret('x && (tit', 9)).toEqual({ start: 6, word: 'tit' });
    expect(wordAtCaret('title = ', 8)).toEqual({ start: 8, word: '' });
    expect(wordAtCaret('title:le', 8)).toEqual({ start: 0, word: 'title:le' });
  });
});
