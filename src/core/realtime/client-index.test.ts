import { describe, expect, it } from 'vitest';
import { ClientIndex } from './client-index.js';

const a = { id: 'a' };
const b = { id: 'b' };
const c = { id: 'c' };

describe('ClientIndex', () => {
  it('files a lone client and forgets the key with it', () => {
    const index = new ClientIndex<typeof a>();
    expect([...index.get('k')]).toEqual([]);
    index.add('k', a);
    index.add('k', a);
    expect([...index.get('k')]).toEqual([a]);
    index.delete('k', b);
    expect([...index.get('k')]).toEqual([a]);
    index.delete('k', a);
    expect([...index.get('k')]).toEqual([]);
  });

  it('holds several clients under one key, each once, and shrinks back to one', () => {
    const index = new ClientIndex<typeof a>();
    for (const client of [a, b, a, c]) index.add('k', client);
    expect([...index.get('k')]).toEqual([a, b, c]);
    index.delete('k', b);
    index.delete('k', a);
    expect([...index.get('k')]).toEqual([c]);
    index.add('k', a);
    expect([...index.get('k')]).toEqual([c, a]);
    index.delete('k', c);
    index.delete('k', a);
    expect([...index.get('k')]).toEqual([]);
    index.add('k', b);
    expect([...index.get('k')]).toEqual([b]);
  });

  it('keeps keys apart', () => {
    const index = new ClientIndex<typeof a>();
    index.add('x', a);
    index.add('x', b);
    index.add('y', c);
    expect([...index.get('x')]).toEqual([a, b]);
    expect([...index.get('y')]).toEqual([c]);
    expect([...index.get('z')]).toEqual([]);
  });

  it('visits every client once when each is removed during the iteration (unbinding on an auth change)', () => {
    const index = new ClientIndex<typeof a>();
    for (const client of [a, b, c]) index.add('x', client);
    const visited: (typeof a)[] = [];
    for (const client of index.get('x')) {
      visited.push(client);
      index.delete('x', client);
    }
    expect(visited).toEqual([a, b, c]);
    expect([...index.get('x')]).toEqual([]);
  });
});
