/**
 * The deterministic benchmark data set of bench/README (shared/bench): the same
 * rows on every run and every machine, from a seeded PRNG.
 */

/** The 20 fixed product categories W2 and W6 ask for. */
export const CATEGORIES = [
  'books', 'music', 'movies', 'games', 'garden', 'tools', 'toys', 'sports', 'outdoors', 'health',
  'beauty', 'kitchen', 'office', 'pets', 'baby', 'auto', 'shoes', 'jewelry', 'grocery', 'electronics',
];

/** The category of rows W3 creates: no W2 or W6 request asks for it. */
export const NEW_CATEGORY = 'bench-created';

/** The ten values of `kind` in the 1M-row `events` collection (W7). */
export const EVENT_KINDS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'];

/** Row counts of the seeded collections. */
export const COUNTS = { products: 10_000, owned: 10_000, events: 1_000_000, users: 10 };

/** The signed-in user of W3, W5 and W6, and the other owners of W6's rows. */
export const BENCH_USER = { email: 'bench@example.com', password: 'bench-password-123' };
export const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password-123' };

/** A small fast PRNG (mulberry32): the same seed gives the same sequence everywhere. */
export function prng(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo ' +
  'consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur').split(' ');

/** A record id in PocketBase's shape (15 × [a-z0-9]) drawn from `rand`. */
export function makeId(rand) {
  let id = '';
  for (let i = 0; i < 15; i++) id += ID_CHARS[Math.floor(rand() * ID_CHARS.length)];
  return id;
}

function words(rand, length) {
  let out = '';
  while (out.length < length) out += (out ? ' ' : '') + WORDS[Math.floor(rand() * WORDS.length)];
  return out.slice(0, length);
}

/** The fixed creation date of every seeded row, in PocketBase's date format. */
export const SEED_DATE = '2025-01-01 00:00:00.000Z';

/** The `count` product rows of a seed (`owners` given: every row gets one, round robin). */
export function* productRows(seed, count, owners) {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const row = {
      id: makeId(rand),
      name: `Product ${i} ${words(rand, 20)}`,
      price: Math.round(rand() * 100_000) / 100,
      stock: Math.floor(rand() * 1000),
      category: CATEGORIES[i % CATEGORIES.length],
      description: words(rand, 200),
      created: SEED_DATE,
      updated: SEED_DATE,
    };
    // Blocks of 20 rows per owner, so every owner has rows of every category (50 each).
    if (owners) row.owner = owners[Math.floor(i / CATEGORIES.length) % owners.length];
    yield row;
  }
}

/** The rows of the 1M-row `events` collection (W7). */
export function* eventRows(seed, count) {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    yield {
      id: makeId(rand),
      kind: EVENT_KINDS[i % EVENT_KINDS.length],
      score: Math.floor(rand() * 1_000_000_000),
      label: `event ${i}`,
      created: SEED_DATE,
      updated: SEED_DATE,
    };
  }
}
