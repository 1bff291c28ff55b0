/**
 * The search query language of `search()` (docs/search.md §2): what a user types into a
 * search box, parsed by plain code into words and phrases. The result is never handed to
 * the engine as query syntax: each dialect builds its FTS5 MATCH text or tsquery from the
 * words alone, and every word is letters and digits only.
 */
import { ENGLISH_STOP_WORDS } from '../../tools/english-stop-words.js';

/** The most words and phrases one search query may hold; more is a 400. */
export const MAX_SEARCH_TERMS = 16;
/** The most words one quoted phrase may hold; more is a 400. */
export const MAX_PHRASE_WORDS = 8;
/** The longest search text accepted, in UTF-16 code units. */
export const MAX_SEARCH_LENGTH = 500;
/** The longest word kept; longer runs of letters are cut (no index holds such words usefully). */
const MAX_WORD_LENGTH = 64;

/** One term: a word (prefix and stem match) or a quoted phrase (its words in order, exactly). */
export interface SearchTerm {
  words: string[];
  phrase: boolean;
}

/** A parsed search: rows must match every `include` term and none of the `exclude` terms. */
export interface SearchQuery {
  include: SearchTerm[];
  exclude: SearchTerm[];
}

/** A SearchQueryError says why a search text is refused (too long, too many terms). */
export class SearchQueryError extends Error {}

// Letters and digits of any script; everything else separates words. NOTE: a plain
// code-point test, never a regular expression over the whole request text.
const WORD_CHAR = /^[\p{L}\p{N}]$/u;

/**
 * Parses a search text. `"…"` is a phrase, `-word` and `-"…"` exclude, every other run of
 * letters and digits is a word. English stop words are dropped from words, and phrases of
 * nothing else (both engines then agree: PostgreSQL's `english` configuration ignores them). A query without any
 * include term matches nothing. Throws a SearchQueryError when the text is over the limits.
 */
export function parseSearchQuery(text: string): SearchQuery {
  if (text.length > MAX_SEARCH_LENGTH) throw new SearchQueryError(`search text longer than ${MAX_SEARCH_LENGTH} characters`);
  const query: SearchQuery = { include: [], exclude: [] };
  const chars = Array.from(text);
  let i = 0;
  while (i < chars.length) {
    // `-` excludes only at the start of a term: in `t-shirt` it joins two words.
    const negated = chars[i] === '-' && (i === 0 || !isWordChar(chars[i - 1]!)) && i + 1 < chars.length
      && (chars[i + 1] === '"' || isWordChar(chars[i + 1]!));
    if (negated) i++;
    if (chars[i] === '"') {
      const end = chars.indexOf('"', i + 1);
      const stop = end === -1 ? chars.length : end;
      // Stop words stay in a phrase (they hold the words' distance) unless it has nothing else.
      let words = splitWords(chars.slice(i + 1, stop));
      if (words.every((w) => ENGLISH_STOP_WORDS.has(w))) words = [];
      if (words.length > MAX_PHRASE_WORDS) throw new SearchQueryError(`a phrase holds more than ${MAX_PHRASE_WORDS} words`);
      addTerm(query, negated, { words, phrase: true });
      i = stop + 1;
      continue;
    }
    if (!isWordChar(chars[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < chars.length && isWordChar(chars[i]!)) i++;
    const word = normalizeWord(chars.slice(start, i).join(''));
    // SECURITY: a one-character word is matched whole, as a one-word phrase: as a prefix it
    // would read the entry of every word that starts with it, in one step no query budget
    // can stop (SQLite's FTS5 has no prefix index of one character), docs/search.md §2.
    if (word !== '' && !ENGLISH_STOP_WORDS.has(word)) addTerm(query, negated, { words: [word], phrase: Array.from(word).length === 1 });
  }
  return query;
}

/** Whether a query can match anything (it has a term to include). */
export function canMatch(query: SearchQuery): boolean {
  return query.include.length > 0;
}

function addTerm(query: SearchQuery, negated: boolean, term: SearchTerm): void {
  if (term.words.length === 0) return;
  const list = negated ? query.exclude : query.include;
  if (list.some((t) => t.phrase === term.phrase && t.words.join(' ') === term.words.join(' '))) return;
  if (query.include.length + query.exclude.length >= MAX_SEARCH_TERMS) {
    throw new SearchQueryError(`search holds more than ${MAX_SEARCH_TERMS} words and phrases`);
  }
  list.push(term);
}

function splitWords(chars: string[]): string[] {
  const words: string[] = [];
  let current: string[] = [];
  for (const ch of [...chars, ' ']) {
    if (isWordChar(ch)) {
      current.push(ch);
    } else if (current.length > 0) {
      const word = normalizeWord(current.join(''));
      if (word !== '') words.push(word);
      current = [];
    }
  }
  return words;
}

function isWordChar(ch: string): boolean {
  return WORD_CHAR.test(ch);
}

// Lower case and NFC, letters and digits only (case mapping may add marks: they are dropped);
// cut to MAX_WORD_LENGTH code points.
function normalizeWord(word: string): string {
  return Array.from(word.normalize('NFC').toLowerCase()).filter(isWordChar).slice(0, MAX_WORD_LENGTH).join('');
}
