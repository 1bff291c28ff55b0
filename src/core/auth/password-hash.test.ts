import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { checkPassword, hashPassword } from './password-hash.js';

describe('password hashing', () => {
  it('hashes with argon2id and OWASP parameters', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await checkPassword(hash, 'correct horse')).toEqual({ ok: true, needsRehash: false });
    expect(await checkPassword(hash, 'wrong horse')).toEqual({ ok: false, needsRehash: false });
  });

  it('verifies imported bcrypt hashes and asks for a rehash', async () => {
    const hash = bcrypt.hashSync('imported-pw', 4);
    expect(await checkPassword(hash, 'imported-pw')).toEqual({ ok: true, needsRehash: true });
    expect(await checkPassword(hash, 'nope')).toEqual({ ok: false, needsRehash: false });
  });

  it('asks to rehash argon2 hashes with other parameters', async () => {
    const { hash, Algorithm } = await import('@node-rs/argon2');
    const weak = await hash('pw', { algorithm: Algorithm.Argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
    expect(await checkPassword(weak, 'pw')).toEqual({ ok: true, needsRehash: true });
  });

  it.each([[undefined], [null], [''], ['plain-text'], ['$2b$garbage']])('refuses a missing or malformed hash %s', async (stored) => {
    expect(await checkPassword(stored, 'anything')).toEqual({ ok: false, needsRehash: false });
  });
});
