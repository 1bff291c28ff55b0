import { describe, expect, it } from 'vitest';
import { crc32, crc32Fallback, crc32Id, randomId } from './ids.js';

describe('randomId', () => {
  it('defaults to 15 chars of [a-z0-9]', () => {
    for (let i = 0; i < 50; i++) expect(randomId()).toMatch(/^[a-z0-9]{15}$/);
  });
  it('takes a length', () => {
    expect(randomId(40)).toMatch(/^[a-z0-9]{40}$/);
  });
  it('does not repeat', () => {
    const seen = new Set(Array.from({ length: 200 }, () => randomId()));
    expect(seen.size).toBe(200);
  });
});

describe('crc32Id', () => {
  it('gives the _superusers collection id of docs/api.md §1.5', () => {
    expect(crc32Id('pbc_', 'auth' + '_superusers')).toBe('pbc_3142635823');
  });
  it('gives the id field id', () => {
    expect(crc32Id('text', 'id')).toBe('text3208210256');
  });
  it('table fallback agrees with zlib', () => {
    for (const s of ['', 'id', 'title', 'auth_superusers', 'ünïcödé ✓', 'x'.repeat(1000)]) {
      expect(crc32Fallback(s)).toBe(crc32(s));
    }
    expect(crc32Fallback('auth_superusers')).toBe(3142635823);
  });
});
