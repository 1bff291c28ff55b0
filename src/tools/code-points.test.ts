import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength } from './code-points.js';

describe('codePointLength', () => {
  it('counts what string iteration counts, lone surrogates included', () => {
    const units = fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0xd83d, 0xde00, 0xdbff, 0xdc00)), { maxLength: 40 })
      .map((codes) => String.fromCharCode(...codes));
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), units), (s) => {
      expect(codePointLength(s)).toBe([...s].length);
    }), { numRuns: 3000 });
  });
});
