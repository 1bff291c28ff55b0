/**
 * The shared contract of every Storage (style.md "Adapters and dialects"): the
 * local directory (test/storage-local.test.ts) and an S3-compatible bucket
 * (test/storage-s3.test.ts, against s3rver) run the same suite.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAll, type Storage } from '../../src/core/files/storage.js';

/** Runs the Storage contract against stores made by `create`; keys are unique per test. */
export function storageContract(name: string, create: () => Promise<Storage>): void {
  describe(`Storage contract: ${name}`, () => {
    let n = 0;
    const prefix = () => `c${process.pid}x${Date.now().toString(36)}x${n++}/rec1/`;
    const text = async (s: Storage, key: string, range?: { start: number; end: number }) => {
      const stream = await s.read(key, range);
      return stream ? (await readAll(stream)).toString('utf8') : null;
    };

    it('stores a file from a path, taking it away', async () => {
      const s = await create();
      const key = `${prefix()}f_1234567890.txt`;
      const path = join(mkdtempSync(join(tmpdir(), 'plinth-putfile-')), 'upload');
      writeFileSync(path, 'from a file');
      await s.putFile(key, path, { contentType: 'text/plain; charset=utf-8' });
      expect(existsSync(path)).toBe(false);
      expect(await s.stat(key)).toMatchObject({ size: 11, contentType: 'text/plain; charset=utf-8' });
      expect(await text(s, key)).toBe('from a file');
      await expect(s.putFile(key, path, { contentType: 'text/plain' })).rejects.toThrow();
      expect(await text(s, key)).toBe('from a file');
    });

    it('stores, stats, reads and overwrites an object', async () => {
      const s = await create();
      const key = `${prefix()}a_1234567890.txt`;
      expect(await s.exists(key)).toBe(false);
      expect(await s.stat(key)).toBeNull();
      expect(await s.read(key)).toBeNull();
      await s.put(key, Buffer.from('hello world'), { contentType: 'text/plain; charset=utf-8' });
      expect(await s.exists(key)).toBe(true);
      const stat = await s.stat(key);
      expect(stat).toMatchObject({ size: 11, contentType: 'text/plain; charset=utf-8' });
      expect(stat!.modified).toBeInstanceOf(Date);
      expect(await text(s, key)).toBe('hello world');
      await s.put(key, Buffer.from('bye'), { contentType: 'application/octet-stream' });
      expect(await s.stat(key)).toMatchObject({ size: 3, contentType: 'application/octet-stream' });
      expect(await text(s, key)).toBe('bye');
    });

    it('reads inclusive byte ranges', async () => {
      const s = await create();
      const key = `${prefix()}r.bin`;
      await s.put(key, Buffer.from('0123456789'), { contentType: 'application/octet-stream' });
      expect(await text(s, key, { start: 2, end: 5 })).toBe('2345');
      expect(await text(s, key, { start: 9, end: 9 })).toBe('9');
      expect(await text(s, key, { start: 0, end: 9 })).toBe('0123456789');
    });

    it('stores empty objects', async () => {
      const s = await create();
      const key = `${prefix()}empty.txt`;
      await s.put(key, Buffer.alloc(0), { contentType: 'text/plain' });
      expect(await s.stat(key)).toMatchObject({ size: 0 });
      expect(await text(s, key)).toBe('');
    });

    it('deletes one object, and deleting a missing one is no error', async () => {
      const s = await create();
      const p = prefix();
      await s.put(`${p}a.txt`, Buffer.from('a'), { contentType: 'text/plain' });
      await s.put(`${p}b.txt`, Buffer.from('b'), { contentType: 'text/plain' });
      await s.delete(`${p}a.txt`);
      await s.delete(`${p}a.txt`);
      await s.delete(`${p}never.txt`);
      expect(await s.exists(`${p}a.txt`)).toBe(false);
      expect(await text(s, `${p}b.txt`)).toBe('b');
    });

    it('deletes everything under a prefix and nothing beside it', async () => {
      const s = await create();
      const p = prefix();
      const other = prefix();
      await s.put(`${p}a.txt`, Buffer.from('a'), { contentType: 'text/plain' });
      await s.put(`${p}thumbs_a.txt/10x10_a.txt`, Buffer.from('t'), { contentType: 'text/plain' });
      await s.put(`${other}a.txt`, Buffer.from('o'), { contentType: 'text/plain' });
      await s.deletePrefix(`${p}thumbs_a.txt/`);
      expect(await s.exists(`${p}thumbs_a.txt/10x10_a.txt`)).toBe(false);
      expect(await s.exists(`${p}a.txt`)).toBe(true);
      await s.deletePrefix(p);
      await s.deletePrefix(p);
      expect(await s.exists(`${p}a.txt`)).toBe(false);
      expect(await text(s, `${other}a.txt`)).toBe('o');
    });

    const badKeys = ['', '/abs.txt', '../x.txt', 'a/../../x.txt', 'a/./x.txt', 'a//x.txt', 'a/.hidden', 'a\\b.txt', 'a/b\u0000.txt', 'a/é.txt', `a/${'x'.repeat(256)}`];
    it.each(badKeys)('refuses the key %j for every operation', async (key) => {
      const s = await create();
      await expect(s.put(key, Buffer.from('x'), { contentType: 'text/plain' })).rejects.toThrow(/invalid storage key/);
      await expect(s.stat(key)).rejects.toThrow(/invalid storage key/);
      await expect(s.read(key)).rejects.toThrow(/invalid storage key/);
      await expect(s.delete(key)).rejects.toThrow(/invalid storage key/);
      await expect(s.deletePrefix(`${key}/`)).rejects.toThrow(/invalid storage key/);
    });
  });
}
