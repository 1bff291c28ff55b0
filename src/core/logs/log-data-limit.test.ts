import { describe, expect, it } from 'vitest';
import { limitData, limitMessage, MAX_MESSAGE_LENGTH, TRUNCATED_KEY } from './log-data-limit.js';

describe('limitData', () => {
  it('keeps data that fits as it is', () => {
    const data = { a: 'x', b: 2 };
    expect(limitData(data, 100)).toEqual(data);
  });

  it('keeps the leading keys that fit, cuts the text that does not, and marks it', () => {
    const out = limitData({ a: 'test1', b: 'test2', c: 'a'.repeat(100), d: 'never' }, 70);
    expect(out[TRUNCATED_KEY]).toBe(true);
    expect(out.a).toBe('test1');
    expect(out.b).toBe('test2');
    expect(typeof out.c).toBe('string');
    expect((out.c as string).length).toBeLessThan(100);
    expect(out).not.toHaveProperty('d');
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(70);
  });

  it('counts bytes, not characters', () => {
    const out = limitData({ text: 'é'.repeat(100) }, 80);
    expect(Buffer.byteLength(JSON.stringify(out))).toBeLessThanOrEqual(80);
  });

  it('uses the default limit for 0', () => {
    expect(limitData({ big: 'x'.repeat(20_000) }, 0)[TRUNCATED_KEY]).toBe(true);
  });
});

describe('limitMessage', () => {
  it('cuts at 8000 characters', () => {
    expect(limitMessage('m'.repeat(9000))).toHaveLength(MAX_MESSAGE_LENGTH);
    expect(limitMessage('short')).toBe('short');
  });
});

describe('limitDataJson', () => {
  it('stores what cannot be serialized as a note, never throws', async () => {
    const { limitDataJson } = await import('./log-data-limit.js');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(JSON.parse(limitDataJson(cyclic, 0))).toMatchObject({ [TRUNCATED_KEY]: true });
    expect(JSON.parse(limitDataJson({ n: 10n } as Record<string, unknown>, 0))).toMatchObject({ [TRUNCATED_KEY]: true });
  });
});
