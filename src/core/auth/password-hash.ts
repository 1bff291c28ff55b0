/**
 * Password hashing: argon2id with OWASP's parameters for new hashes; bcrypt
 * hashes (users imported from PocketBase) still verify and are flagged for rehash.
 */
import { lazyModule } from '../../tools/lazy-module.js';

// NOTE: argon2's native addon and bcryptjs load on the first password check, not at
// start-up: a server that only serves records never needs them (and argon2 costs megabytes).
const argon2 = lazyModule(() => import('@node-rs/argon2'));
const bcryptjs = lazyModule(() => import('bcryptjs'));

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const ARGON2_COSTS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a plain password with argon2id. */
export async function hashPassword(plain: string): Promise<string> {
  const argon = await argon2();
  return argon.hash(plain, { algorithm: argon.Algorithm.Argon2id, ...ARGON2_COSTS });
}

/** The result of checking a password against a stored hash. */
export interface PasswordCheck {
  ok: boolean;
  /** True when the hash is not argon2id with the current parameters: store a new one. */
  needsRehash: boolean;
}

// A real hash of a random password: checking against it costs what a real check costs.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a plain password against a stored hash in the time a real check takes.
 * An empty or unknown hash is checked against a dummy, so a missing account
 * costs the same as a wrong password (SECURITY: no enumeration by timing).
 */
export async function checkPassword(stored: string | undefined | null, plain: string): Promise<PasswordCheck> {
  if (stored && /^\$2[aby]?\$/.test(stored)) {
    const { default: bcrypt } = await bcryptjs();
    const ok = await bcrypt.compare(plain, stored).catch(() => false);
    return { ok, needsRehash: ok };
  }
  const { verify } = await argon2();
  if (stored && stored.startsWith('$argon2')) {
    const ok = await verify(stored, plain).catch(() => false);
    return { ok, needsRehash: ok && !stored.startsWith('$argon2id$v=19$m=19456,t=2,p=1$') };
  }
  dummyHash ??= hashPassword('plinth-dummy-' + Math.random().toString(36));
  await verify(await dummyHash, plain).catch(() => false);
  return { ok: false, needsRehash: false };
}
