/**
 * What the rule editor proposes at the caret (docs/rule-editor.md): the collection's fields and
 * relation paths, back-relations, modifiers, `@request.*`, `@collection.*`, macros and functions
 * of the filter language (docs/api.md §4.2–4.4). Pure: it reads only the schemas it is given.
 */
import type { CollectionModel } from 'pocketbase';

/** One proposal: the whole identifier it completes the word to, and a hint shown beside it. */
export interface Completion {
  text: string;
  detail: string;
}

/** The word being typed: where it starts and what it holds so far. */
export interface WordAtCaret {
  start: number;
  word: string;
}

const MACROS = [
  '@now', '@yesterday', '@tomorrow', '@todayStart', '@todayEnd', '@monthStart', '@monthEnd', '@yearStart', '@yearEnd',
  '@second', '@minute', '@hour', '@weekday', '@day', '@month', '@year',
];
const FUNCTIONS: Completion[] = [
  { text: 'geoDistance(', detail: 'geoDistance(lonA, latA, lonB, latB) km' },
  { text: 'strftime(', detail: 'strftime(format, time?, modifier…)' },
];
const MODIFIERS = [':isset', ':changed', ':length', ':each', ':lower'];
const REQUEST: Completion[] = [
  { text: '@request.auth.', detail: 'the signed-in record' },
  { text: '@request.body.', detail: 'the request body' },
  { text: '@request.query.', detail: 'query parameters' },
  { text: '@request.headers.', detail: 'headers (lower case, - as _)' },
  { text: '@request.method', detail: 'GET, POST, PATCH, DELETE' },
  { text: '@request.context', detail: 'default, oauth2, …' },
];
const MAX_COMPLETIONS = 50;
/** How many segments of a relation path are followed (`a.b.c` is 3); deeper paths get no proposals. */
const MAX_PATH_DEPTH = 6;

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_.:@#]/.test(c);
}

/** The identifier-like word that ends at the caret (possibly empty). */
export function wordAtCaret(text: string, caret: number): WordAtCaret {
  let start = caret;
  while (start > 0 && isWordChar(text[start - 1]!)) start--;
  return { start, word: text.slice(start, caret) };
}

type Fields = CollectionModel['fields'];

/** The proposals for the word at the caret, best first (at most 50). */
export function completionsFor(word: string, collection: CollectionModel | undefined, all: CollectionModel[]): Completion[] {
  const colon = word.lastIndexOf(':');
  if (colon > 0 && word.indexOf('.', colon) < 0) {
    const base = word.slice(0, colon);
    return MODIFIERS.filter((m) => modifierFits(m, base) && (base + m).startsWith(word)).map((m) => ({ text: base + m, detail: 'modifier' }));
  }
  const dot = word.lastIndexOf('.');
  let candidates: Completion[];
  if (dot < 0) {
    candidates = [
      ...fieldCompletions('', collection?.fields ?? []),
      ...backRelations('', collection, all),
      ...REQUEST,
      { text: '@collection.', detail: 'records of another collection' },
      ...MACROS.map((m) => ({ text: m, detail: 'macro' })),
      ...FUNCTIONS,
    ];
  } else {
    candidates = childrenOf(word.slice(0, dot), collection, all);
  }
  const lower = word.toLowerCase();
  return candidates.filter((c) => c.text.toLowerCase().startsWith(lower) && c.text !== word).slice(0, MAX_COMPLETIONS);
}

function modifierFits(modifier: string, base: string): boolean {
  if (modifier === ':isset') return base.startsWith('@request.');
  if (modifier === ':changed') return base.startsWith('@request.body.');
  return true;
}

function fieldCompletions(prefix: string, fields: Fields): Completion[] {
  return fields.map((f) => ({ text: prefix + f.name, detail: f.type }));
}

/** `x_via_y` for every relation field `y` of a collection `x` that points at `collection`. */
function backRelations(prefix: string, collection: CollectionModel | undefined, all: CollectionModel[]): Completion[] {
  if (!collection) return [];
  const out: Completion[] = [];
  for (const other of all) {
    for (const f of other.fields) {
      if (f.type === 'relation' && f.collectionId === collection.id) out.push({ text: `${prefix}${other.name}_via_${f.name}`, detail: `back-relation from ${other.name}` });
    }
  }
  return out;
}

/** The fields shared by every auth collection's record as `@request.auth` sees it (union of their fields). */
function authFields(all: CollectionModel[]): Fields {
  const seen = new Map<string, Fields[number]>();
  for (const c of all) if (c.type === 'auth') for (const f of c.fields) if (!seen.has(f.name)) seen.set(f.name, f);
  return [...seen.values()];
}

/** The proposals after `base.` (base resolved to a collection, or one of the `@request` roots). */
function childrenOf(base: string, collection: CollectionModel | undefined, all: CollectionModel[]): Completion[] {
  const prefix = `${base}.`;
  if (base === '@request') return REQUEST;
  if (base === '@collection') return all.map((c) => ({ text: `${prefix}${c.name}.`, detail: c.type }));
  if (base === '@request.query' || base === '@request.headers') return [];
  const target = resolvePath(base, collection, all);
  if (!target) return [];
  return [...fieldCompletions(prefix, target.fields), ...backRelations(prefix, target.collection, all)];
}

/** What a dotted path names: fields to continue with, and the collection they belong to if one. */
function resolvePath(path: string, collection: CollectionModel | undefined, all: CollectionModel[]): { fields: Fields; collection?: CollectionModel } | undefined {
  const parts = path.split('.');
  let current: { fields: Fields; collection?: CollectionModel } | undefined;
  let rest: string[];
  if (parts[0] === '@request' && parts[1] === 'auth') {
    current = { fields: authFields(all) };
    rest = parts.slice(2);
  } else if (parts[0] === '@request' && parts[1] === 'body') {
    current = collection ? { fields: collection.fields, collection } : undefined;
    rest = parts.slice(2);
  } else if (parts[0] === '@collection') {
    const named = all.find((c) => c.name === (parts[1] ?? '').split(':')[0]);
    current = named ? { fields: named.fields, collection: named } : undefined;
    rest = parts.slice(2);
  } else {
    current = collection ? { fields: collection.fields, collection } : undefined;
    rest = parts;
  }
  if (rest.length > MAX_PATH_DEPTH) return undefined;
  for (const name of rest) {
    if (!current) return undefined;
    current = step(name, current, all);
  }
  return current;
}

/** Follows one path segment: a relation field to its collection, or `x_via_y` back to `x`. */
function step(name: string, from: { fields: Fields; collection?: CollectionModel }, all: CollectionModel[]): { fields: Fields; collection?: CollectionModel } | undefined {
  const field = from.fields.find((f) => f.name === name);
  if (field?.type === 'relation') {
    const target = all.find((c) => c.id === field.collectionId);
    return target ? { fields: target.fields, collection: target } : undefined;
  }
  const via = name.indexOf('_via_');
  if (via > 0) {
    const source = all.find((c) => c.name === name.slice(0, via));
    return source ? { fields: source.fields, collection: source } : undefined;
  }
  return undefined;
}
