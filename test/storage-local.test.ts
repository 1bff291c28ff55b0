/**
 * LocalStorage: the shared Storage contract, and what only a directory shows —
 * the layout of docs/api.md §8.1, no temporary leftovers, no empty record folders.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../src/adapters/storage/local-storage.js';
import { storageContract } from './contracts/storage-contract.js';

const roots: string[] = [];
function freshRoot(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'plinth-storage-')), 'storage');
  roots.push(root);
  return root;
}
afterAll(() => {
  for (const r of roots) rmSync(join(r, '..'), { recursive: true, force: true });
});

storageContract('local directory', async () => new LocalStorage(freshRoot()));

describe('LocalStorage', () => {
  it('keeps objects at <root>/<key> and leaves no temporary file', async () => {
    const root = freshRoot();
    const s = new LocalStorage(root);
    await s.put('col/rec/a_0123456789.txt', Buffer.from('abc'), { contentType: 'text/plain' });
    expect(readFileSync(join(root, 'col/rec/a_0123456789.txt'), 'utf8')).toBe('abc');
    expect(readdirSync(join(root, '.tmp'))).toEqual([]);
  });

  it('removes record folders left empty', async () => {
    const root = freshRoot();
    const s = new LocalStorage(root);
    await s.put('col/rec/a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    await s.delete('col/rec/a.txt');
    expect(existsSync(join(root, 'col'))).toBe(false);
    await s.put('col/rec2/b.txt', Buffer.from('b'), { contentType: 'text/plain' });
    await s.deletePrefix('col/rec2/');
    expect(existsSync(join(root, 'col'))).toBe(false);
    expect(existsSync(root)).toBe(true);
  });

  it('answers a folder key as missing', async () => {
    const s = new LocalStorage(freshRoot());
    await s.put('col/rec/a.txt', Buffer.from('a'), { contentType: 'text/plain' });
    expect(await s.stat('col/rec')).toBeNull();
    expect(await s.read('col/rec')).toBeNull();
  });
});
