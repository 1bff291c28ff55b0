import { describe, expect, it } from 'vitest';
import { extractExtension, normalizeFileName, snakeCase } from './file-name.js';
import { detectMime, mimeMatches } from './mime-detect.js';
import { parseThumbSize } from './thumbs.js';

// A fixed "random" part makes the expected names exact.
const fixed = (n: number) => 'r'.repeat(n);

describe('normalizeFileName (docs/api.md §8.1)', () => {
  const cases: Array<[string, string, string]> = [
    ['My Photo.JPG', '', 'my_photo_rrrrrrrrrr.JPG'],
    ['test.txt', '', 'test_rrrrrrrrrr.txt'],
    ['archive.tar.gz', '', 'archive_rrrrrrrrrr.tar.gz'],
    ['a.b.tar.gz', '', 'a_b_rrrrrrrrrr.tar.gz'],
    ['myTestDB.png', '', 'my_test_db_rrrrrrrrrr.png'],
    ['noext', '.png', 'noext_rrrrrrrrrr.png'],
    ['noext', '', 'noext_rrrrrrrrrr'],
    ['ab.png', '', 'abrrrrrrrrrr_rrrrrrrrrr.png'],
    ['.png', '', 'rrrrrrrrrr_rrrrrrrrrr.png'],
    ['../../etc/passwd', '', 'rrrrrrrrrr_rrrrrrrrrr..etcpasswd'],
    ['..\\..\\win.ini', '', 'rrrrrrrrrr_rrrrrrrrrr.win.ini'],
    ['evil\u0000name.png', '', 'evil_name_rrrrrrrrrr.png'],
    ['fünf über.txt', '', 'f_nf_ber_rrrrrrrrrr.txt'],
    ['file.p$h%p', '', 'file_rrrrrrrrrr.php'],
    ['x'.repeat(300) + '.txt', '', 'x'.repeat(100) + '_rrrrrrrrrr.txt'],
    ['a' + '.' + 'e'.repeat(30), '', 'arrrrrrrrrr_rrrrrrrrrr.' + 'e'.repeat(20)],
  ];
  it.each(cases)('%j → %j', (original, detected, expected) => {
    expect(normalizeFileName(original, detected, fixed)).toBe(expected);
  });

  it('always adds a fresh random [a-z0-9]{10} part', () => {
    const a = normalizeFileName('photo.png', '');
    const b = normalizeFileName('photo.png', '');
    expect(a).toMatch(/^photo_[a-z0-9]{10}\.png$/);
    expect(a).not.toBe(b);
  });

  it('never yields a path separator, NUL or leading dot', () => {
    for (const raw of ['../x', '/etc/passwd', 'a/b/c.txt', '\u0000', '..', '.', '...', 'a\\..\\b', '%2e%2e%2fx']) {
      const name = normalizeFileName(raw, '');
      expect(name).toMatch(/^[a-z0-9_]+(\.[\w.*\-+=#]*)?$/);
      expect(name.length).toBeLessThanOrEqual(150);
    }
  });

  it('splits extensions and snake-cases like PocketBase', () => {
    expect(extractExtension('a')).toBe('');
    expect(extractExtension('.a')).toBe('.a');
    expect(extractExtension('a.b.c.d')).toBe('.c.d');
    expect(snakeCase('Hello World__ABC')).toBe('hello_world_abc');
    expect(snakeCase('myTestDB')).toBe('my_test_db');
  });
});

describe('detectMime', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const cases: Array<[string, Buffer, string, string]> = [
    ['png', png, 'image/png', '.png'],
    ['pdf', Buffer.from('%PDF-1.4\n%…\n1 0 obj'), 'application/pdf', '.pdf'],
    ['plain text', Buffer.from('hello'), 'text/plain; charset=utf-8', '.txt'],
    ['svg', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml', '.svg'],
    ['html', Buffer.from('<!DOCTYPE html><html></html>'), 'text/html; charset=utf-8', '.html'],
    ['json', Buffer.from('{"a":1}'), 'application/json', '.json'],
    ['binary', Buffer.from([0, 1, 2, 3, 254, 255]), 'application/octet-stream', ''],
  ];
  it.each(cases)('%s', async (_name, data, mime, ext) => {
    expect(await detectMime(data)).toEqual({ mime, ext });
  });

  it('matches allowed types on the base type, case-insensitively', () => {
    expect(mimeMatches('text/plain; charset=utf-8', ['text/plain'])).toBe(true);
    expect(mimeMatches('image/PNG', ['image/png'])).toBe(true);
    expect(mimeMatches('image/png', ['image/jpeg'])).toBe(false);
  });
});

describe('parseThumbSize', () => {
  it.each([
    ['100x100', { width: 100, height: 100, mode: 'center' }],
    ['100x50t', { width: 100, height: 50, mode: 'top' }],
    ['100x50b', { width: 100, height: 50, mode: 'bottom' }],
    ['100x50f', { width: 100, height: 50, mode: 'fit' }],
    ['0x50', { width: 0, height: 50, mode: 'center' }],
    ['50x0', { width: 50, height: 0, mode: 'center' }],
    ['0x0', null],
    ['0x0f', null],
    ['100', null],
    ['100x100z', null],
    ['../1x1', null],
  ])('%s', (size, expected) => {
    expect(parseThumbSize(size)).toEqual(expected);
  });
});
