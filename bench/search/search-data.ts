/**
 * The search benchmark's data (docs/search.md §6): product names and descriptions from a
 * seeded PRNG over an English product vocabulary and 5,000 made-up brand and model words,
 * so common words match many rows and rare ones a few, as in a real catalogue.
 */

/** A small fast PRNG (mulberry32): the same seed gives the same rows everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

/** The queries the benchmark sends, in turn: common words, pairs, a phrase, rare words and an exclusion. */
export const SEARCH_QUERIES = [
  'red shoes', 'wool', 'leather boots', 'rain jacket', 'kettle steel', 'navy sweater', RARE[10]!, `${RARE[200]!} lamp`,
  '"sleeping bag"', 'camping -tent', 'headphones', 'recycled cotton shirt', RARE[4321]!, 'waterproof', 'blue',
];

/** `count` product rows, the same on every run. */
export function* searchRows(count: number): Generator<{ id: string; name: string; description: string; price: number }> {
  const rand = prng(16);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  for (let i = 0; i < count; i++) {
    const brand = RARE[Math.floor(rand() * rand() * RARE.length)]!;
    const color = pick(COLORS);
    const material = pick(MATERIALS);
    const product = pick(PRODUCTS);
    yield {
      id: `s${i.toString(36).padStart(14, '0')}`,
      name: `${brand} ${color} ${material} ${product}`,
      description: `A ${color} ${product} made of ${material} ${pick(USES)}. ${pick(EXTRAS)} ${pick(EXTRAS)}`,
      price: Math.round(rand() * 100_000) / 100,
    };
  }
}
