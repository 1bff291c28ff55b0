import { FilterError } from './filter-error.js';

/** The kinds of token the filter lexer emits. */
export type TokenType = 'identifier' | 'text' | 'number' | 'placeholder' | 'op' | 'join' | '(' | ')' | ',' | 'eof';

/**
 * A Token is one lexeme of a filter: its kind, its value (text already unescaped,
 * identifiers and numbers as written) and its 0-based offset in the source.
 */
export interface Token {
  type: TokenType;
  value: string;
  pos: number;
  /** True for an identifier immediately followed by `(`: a function name. */
  call?: boolean;
}

const OPERATORS = new Set(['=', '!=', '>', '>=', '<', '<=', '~', '!~', '?=', '?!=', '?>', '?>=', '?<', '?<=', '?~', '?!~']);
const OP_CHARS = '=?!<>~';
const JOIN_CHARS = '&|';

function isAsciiLetter(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isIdentifierStart(c: string): boolean {
  return isAsciiLetter(c) || c === '_' || c === '@' || c === '#';
}

function isIdentifierPart(c: string): boolean {
  return isAsciiLetter(c) || isDigit(c) || c === '_' || c === '.' || c === ':';
}

// NOTE: only these four count as whitespace (docs/api.md §4.1); a form feed or a
// non-breaking space is an unknown character, not a separator.
function isWhitespace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Describes a character for an error reason, code point aware so emoji are not split. */
function describeChar(text: string, pos: number): string {
  const cp = text.codePointAt(pos) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `character U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return `character '${String.fromCodePoint(cp)}'`;
}

/** Tests a whole identifier against docs/api.md §4.1: not a lone sigil, not ending in `.` or `:`. */
export function isValidIdentifier(name: string): boolean {
  if (name.length === 0 || !isIdentifierStart(name[0]!)) return false;
  for (let i = 1; i < name.length; i++) if (!isIdentifierPart(name[i]!)) return false;
  if (name.length === 1 && !isAsciiLetter(name)) return false;
  const last = name[name.length - 1];
  return last !== '.' && last !== ':';
}

/** Options of tokenize. */
export interface TokenizeOptions {
  /** Whether `{:name}` is a placeholder token (filters of app code); otherwise `{` is an unknown character. */
  placeholders?: boolean;
}

/**
 * Splits a filter into tokens, dropping whitespace and `//` comments. Throws a
 * FilterError for unknown characters, unterminated text and malformed numbers,
 * identifiers or operators. The result always ends with one `eof` token.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (isWhitespace(c)) {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, value: c, pos: i });
      i++;
    } else if (c === '"' || c === "'") {
      i = scanText(text, i, tokens);
    } else if (isDigit(c) || (c === '-' && isDigit(text[i + 1] ?? ''))) {
      i = scanNumber(text, i, tokens);
    } else if (isIdentifierStart(c)) {
      i = scanIdentifier(text, i, tokens);
    } else if (c === '{' && text[i + 1] === ':' && options.placeholders) {
      i = scanPlaceholder(text, i, tokens);
    } else if (OP_CHARS.includes(c)) {
      i = scanRun(text, i, OP_CHARS, tokens, 'op');
    } else if (JOIN_CHARS.includes(c)) {
      i = scanRun(text, i, JOIN_CHARS, tokens, 'join');
    } else {
      throw new FilterError(`unexpected ${describeChar(text, i)}`, i);
    }
  }
  tokens.push({ type: 'eof', value: '', pos: n });
  return tokens;
}

/** What a backslash followed by one of these characters stands for inside quoted text. */
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t' };

// Mirrors fexpr 0.6 and PocketBase (docs/api.md §4.1): quoted text decodes the escapes Go's
// strconv.Quote and JSON write, so a value the SDK's pb.filter() binds matches exactly
// what is stored: `\\`, `\"`, `\'`, `\n`, `\r`, `\t` and `\uXXXX`. A backslash before
// any other character (or before `u` without four hex digits) stays in the value as written.
function scanText(text: string, start: number, tokens: Token[]): number {
  const quote = text[start]!;
  let value = '';
  let i = start + 1;
  let chunk = i;
  while (i < text.length) {
    const c = text[i]!;
    if (c === quote) {
      value += text.slice(chunk, i);
      tokens.push({ type: 'text', value: toWellFormed(value), pos: start });
      return i + 1;
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    const escaped = Object.hasOwn(ESCAPES, next) ? ESCAPES[next]! : next === 'u' ? unicodeEscape(text, i + 2) : undefined;
    if (escaped === undefined) {
      i++;
      continue;
    }
    value += text.slice(chunk, i) + escaped;
    i += next === 'u' ? 6 : 2;
    chunk = i;
  }
  throw new FilterError('unterminated quoted text', start);
}

/** The UTF-16 unit of the four hex digits at `at` (`\uXXXX`), or undefined when they are not four hex digits. */
function unicodeEscape(text: string, at: number): string | undefined {
  const hex = text.slice(at, at + 4);
  if (hex.length !== 4) return undefined;
  for (const h of hex) {
    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return undefined;
  }
  return String.fromCharCode(parseInt(hex, 16));
}

/**
 * The text with each lone UTF-16 surrogate (a `\uD83D` without its pair) replaced by
 * U+FFFD, as stored values are (Go's decoder does the same), so such a filter matches them.
 */
function toWellFormed(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}

function scanNumber(text: string, start: number, tokens: Token[]): number {
  let i = start + 1;
  while (i < text.length && (isDigit(text[i]!) || text[i] === '.')) i++;
  // A letter glued to a number (`1e5`, `2abc`) is a malformed number, not two tokens.
  while (i < text.length && (isIdentifierPart(text[i]!) || text[i] === '-')) i++;
  const raw = text.slice(start, i);
  if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new FilterError(`invalid number '${raw}'`, start);
  if (!Number.isFinite(Number(raw))) throw new FilterError(`number '${raw.slice(0, 32)}…' out of range`, start);
  tokens.push({ type: 'number', value: raw, pos: start });
  return i;
}

function scanIdentifier(text: string, start: number, tokens: Token[]): number {
  let i = start + 1;
  while (i < text.length && isIdentifierPart(text[i]!)) i++;
  const name = text.slice(start, i);
  if (!isValidIdentifier(name)) throw new FilterError(`invalid identifier '${name}'`, start);
  tokens.push({ type: 'identifier', value: name, pos: start, call: text[i] === '(' });
  return i;
}

// `{:name}`: a name of letters, digits and `_`, as dbx's placeholders are.
function scanPlaceholder(text: string, start: number, tokens: Token[]): number {
  let i = start + 2;
  while (i < text.length && (isAsciiLetter(text[i]!) || isDigit(text[i]!) || text[i] === '_')) i++;
  const name = text.slice(start + 2, i);
  if (name === '' || text[i] !== '}') throw new FilterError('invalid placeholder: expected {:name}', start);
  tokens.push({ type: 'placeholder', value: name, pos: start });
  return i + 1;
}

// Like fexpr, operator and join characters are read greedily and then checked
// as a whole, so `==` or `&&&` is an error rather than two tokens.
function scanRun(text: string, start: number, chars: string, tokens: Token[], type: 'op' | 'join'): number {
  let i = start + 1;
  while (i < text.length && chars.includes(text[i]!)) i++;
  const value = text.slice(start, i);
  const valid = type === 'op' ? OPERATORS.has(value) : value === '&&' || value === '||';
  if (!valid) throw new FilterError(`invalid ${type === 'op' ? 'operator' : 'join'} '${value}'`, start);
  tokens.push({ type, value, pos: start });
  return i;
}
