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
/** A record id in PocketBase's shape (15 × [a-z0-9]) drawn from `rand`. */
export function makeId(rand) {
  let id = '';
  for (let i = 0; i < 15; i++) id += ID_CHARS[Math.floor(rand() * ID_CHARS.length)];
  return id;
}

/** The fixed creation date of every seeded row, in PocketBase's date format. */
export const SEED_DATE = '2025-01-01 00:00:00.000Z';

/** The `count` product rows of a seed (`owners` given: every row gets one, round robin). */
export function* productRows(seed, count, owners) {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const row = {
      id: makeId(rand),
      ...catalogText(rand, `Product ${i} `),
      price: Math.round(rand() * 100_000) / 100,
      stock: Math.floor(rand() * 1000),
      category: CATEGORIES[i % CATEGORIES.length],
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

// The catalog of the search workload (bench/search/search-latency.ts, docs/search.md §6): an English
// product vocabulary and 5,000 made-up brand and model words, so common words match many rows and
// rare ones a few, as in a real catalogue.
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'navy', 'grey', 'yellow', 'pink', 'brown', 'olive', 'teal'];
const MATERIALS = ['leather', 'cotton', 'wool', 'canvas', 'suede', 'denim', 'linen', 'nylon', 'silk', 'rubber', 'bamboo', 'steel'];
const PRODUCTS = ['running shoes', 'hiking boots', 'sneakers', 'sandals', 'rain jacket', 'winter coat', 'shirt', 'hoodie', 'backpack',
  'wallet', 'scarf', 'gloves', 'socks', 'sunglasses', 'watch', 'belt', 'cap', 'dress', 'jeans', 'sweater', 'kettle', 'lamp', 'chair',
  'desk', 'blender', 'headphones', 'speaker', 'keyboard', 'mouse', 'monitor', 'tent', 'sleeping bag', 'bottle', 'mug', 'knife'];
const USES = ['for trail running', 'for everyday wear', 'for cold mornings', 'for long hikes', 'for the office', 'for summer holidays',
  'for rainy days', 'for the gym', 'for weekend trips', 'for city walking', 'for the kitchen', 'for camping'];
const EXTRAS = ['Lightweight and breathable.', 'Water resistant finish.', 'Handmade by small workshops.', 'Machine washable.',
  'Recycled materials throughout.', 'Cushioned sole for comfort.', 'Classic fit that lasts.', 'Packs flat for travel.',
  'Reinforced stitching.', 'Soft lining keeps you warm.', 'Two year warranty.', 'Ships in plastic free packaging.'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'qua', 'bri', 'dor', 'fen', 'gal', 'hux', 'jor'];

/** 5,000 made-up brand and model words (e.g. "kalomi"). */
const RARE = Array.from({ length: 5000 }, (_, i) => {
  let n = i + 17;
  let word = '';
  for (let k = 0; k < 3; k++) {
    word += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length) + k * 7;
  }
  return `${word}${i % 10}`;
});

/** The searches of bench/search/search-latency.ts, in turn: common words, pairs, a phrase, rare brand words, an exclusion. */
export const SEARCH_QUERIES = [
  'red shoes', 'wool', 'leather boots', 'rain jacket', 'kettle steel', 'navy sweater', RARE[10], `${RARE[200]} lamp`,
  '"sleeping bag"', 'camping -tent', 'headphones', 'recycled cotton shirt', RARE[4321], 'waterproof', 'blue',
];

/**
 * The searches of S1 (bench/README.md), over the 10,000 `products`: one word, two words, a rare brand word,
 * a phrase, an exclusion. None holds a stop word, so the baseline needs no stop-word list.
 */
export const PRODUCT_SEARCHES = ['wool', 'headphones', 'red shoes', 'navy sweater', RARE[10], '"sleeping bag"', 'camping -tent', 'leather -boots'];

/**
 * A product's name (after `namePrefix`) and description (~200 characters) in the catalog's vocabulary, drawn from
 * `rand`: the searchable text of S1.
 */
function catalogText(rand, namePrefix, extras = 6) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const brand = RARE[Math.floor(rand() * rand() * RARE.length)];
  const color = pick(COLORS);
  const material = pick(MATERIALS);
  const product = pick(PRODUCTS);
  let description = `A ${color} ${product} made of ${material} ${pick(USES)}.`;
  for (let k = 0; k < extras; k++) description += ` ${pick(EXTRAS)}`;
  return { name: `${namePrefix}${brand} ${color} ${material} ${product}`, description };
}

/** `count` catalog rows with searchable names and descriptions, the same on every run. */
export function* catalogRows(seed, count) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  for (let i = 0; i < count; i++) {
    const brand = RARE[Math.floor(rand() * rand() * RARE.length)];
    const color = pick(COLORS);
    const material = pick(MATERIALS);
    const product = pick(PRODUCTS);
    yield {
      id: makeId(rand),
      name: `${brand} ${color} ${material} ${product}`,
      description: `A ${color} ${product} made of ${material} ${pick(USES)}. ${pick(EXTRAS)} ${pick(EXTRAS)}`,
      price: Math.round(rand() * 100_000) / 100,
      created: SEED_DATE,
      updated: SEED_DATE,
    };
  }
}
