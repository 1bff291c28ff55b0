import { describe, expect, it } from 'vitest';
import { parseTopic } from './realtime-topic.js';

const opts = (o: unknown) => `?options=${encodeURIComponent(JSON.stringify(o))}`;

describe('parseTopic', () => {
  it.each([
    ['posts', 'posts', null, {}, {}],
    ['posts/*', 'posts', null, {}, {}],
    ['pbc_123/abc', 'pbc_123', 'abc', {}, {}],
    ['@oauth2', '', null, {}, {}],
    [`posts/*${opts({ query: { filter: 'a = 1', perPage: 5, x: ['first', 'second'], o: { a: 1 } } })}`, 'posts', null, { filter: 'a = 1', perPage: '5', x: 'first' }, {}],
    [`posts/r1${opts({ headers: { 'X-Token': 'abc' } })}`, 'posts', 'r1', {}, { x_token: 'abc' }],
    ['posts?options=%7Bnot-json', 'posts', null, {}, {}],
    ['posts?options=%5B1%5D', 'posts', null, {}, {}],
  ])('%s', (raw, collection, recordId, query, headers) => {
    const topic = parseTopic(raw);
    expect(topic).toMatchObject({ raw, collection, recordId, options: { query, headers } });
  });

  it('gives equal options the same key and different options different keys', () => {
    const a = parseTopic(`posts${opts({ query: { filter: 'x' } })}`);
    const b = parseTopic(`posts/*${opts({ query: { filter: 'x' } })}`);
    const c = parseTopic(`posts${opts({ query: { filter: 'y' } })}`);
    expect(a.optionsKey).toBe(b.optionsKey);
    expect(a.optionsKey).not.toBe(c.optionsKey);
    expect(parseTopic('posts').optionsKey).toBe('');
  });
});
