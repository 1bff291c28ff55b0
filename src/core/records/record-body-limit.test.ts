import { describe, expect, it } from 'vitest';
import type { Collection, Field } from '../collections/collection.js';
import { recordBodyLimit } from './record-body-limit.js';

const MiB = 1 << 20;
const base = 32 * MiB;
const collection = (fields: Array<Partial<Field>>) => ({ fields }) as unknown as Collection;

describe('recordBodyLimit (docs/api.md §1.1)', () => {
  it.each([
    ['no sized fields', [{ name: 't', type: 'text' }], base],
    ['file defaults: 5 MiB × 1', [{ name: 'f', type: 'file', maxSize: 0, maxSelect: 0 }], base + 5 * MiB],
    ['file maxSize × maxSelect', [{ name: 'f', type: 'file', maxSize: 1000, maxSelect: 4 }], base + 4000],
    ['editor default 5 MiB', [{ name: 'e', type: 'editor', maxSize: 0 }], base + 5 * MiB],
    ['json default 1 MiB', [{ name: 'j', type: 'json', maxSize: 0 }], base + MiB],
    ['json maxSize', [{ name: 'j', type: 'json', maxSize: 10 }], base + 10],
    ['all together', [{ name: 'f', type: 'file', maxSize: 100, maxSelect: 2 }, { name: 'e', type: 'editor', maxSize: 7 }, { name: 'j', type: 'json', maxSize: 3 }], base + 210],
  ] as Array<[string, Array<Partial<Field>>, number]>)('%s', (_name, fields, expected) => {
    expect(recordBodyLimit(collection(fields), base)).toBe(expected);
  });
});
