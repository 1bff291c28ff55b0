import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMigrationFileName, listMigrationFiles, newMigrationFileName, snakeCaseName } from './migration-files.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-migration-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isMigrationFileName', () => {
  it.each([
    ['1700000000_init.ts', true], ['1_a.mts', true], ['1700000000_init.js', true], ['1700000000_init.mjs', true],
    ['init.ts', false], ['_init.ts', false], ['1700000000init.ts', false], ['1700000000_.ts', false],
    ['1700000000_types.d.ts', false], ['1700000000_x.json', false], ['1700000000_x.cjs', false],
  ])('%s → %s', (name, expected) => expect(isMigrationFileName(name)).toBe(expected));
});

describe('snakeCaseName', () => {
  it.each([
    ['Add posts!', 'add_posts'], ['addPosts', 'add_posts'], ['HTMLParser', 'htmlparser'], ['  déjà vu  ', 'deja_vu'],
    ['created_posts_2', 'created_posts_2'], ['!!!', ''], ['日本', ''],
  ])('%s → %s', (text, expected) => expect(snakeCaseName(text)).toBe(expected));
});

describe('newMigrationFileName', () => {
  it('takes the current second, or the one after the latest file of the folder', async () => {
    expect(await newMigrationFileName(dir, 'a', 'ts', 1_700_000_000_500)).toBe('1700000000_a.ts');
    writeFileSync(join(dir, '1700000000_a.ts'), '');
    writeFileSync(join(dir, 'notes.ts'), '');
    expect(await newMigrationFileName(dir, 'b', 'js', 1_700_000_000_900)).toBe('1700000001_b.js');
    expect(await newMigrationFileName(dir, 'c', 'ts', 1_700_000_100_000)).toBe('1700000100_c.ts');
    expect(await listMigrationFiles(dir)).toEqual(['1700000000_a.ts']);
  });
});
