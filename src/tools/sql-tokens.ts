/**
 * A tokenizer for the SQL text a superuser may write (view queries, partial-index
 * conditions). It knows the quoting of both engines — SQLite's `'…'`, `"…"`,
 * `` `…` `` and `[…]`, PostgreSQL's `E'…'` escapes, `$tag$…$tag$` dollar quotes and
 * nested block comments — so that a `;` or a comment is found only where the
 * database would see one.
 *
 * SECURITY: the same text is read under every grammar it could be run with
 * (`SQL_GRAMMARS`); a check passes only when it passes under each of them, so text
 * that one engine reads as a literal and the other as two statements (`E'\''; …`)
 * is refused on both.
 */

/** One of the ways the same SQL text can be read. */
export type SqlGrammar =
  /** SQLite: no backslash escapes, `[…]` and backticks quote identifiers, block comments do not nest. */
  | 'sqlite'
  /** PostgreSQL with standard_conforming_strings on (the default): only `E'…'` honours backslashes. */
  | 'postgres'
  /** PostgreSQL with standard_conforming_strings off: every `'…'` honours backslashes. */
  | 'postgresLegacy';

/** Every grammar a stored SQL text may meet. */
export const SQL_GRAMMARS: readonly SqlGrammar[] = ['sqlite', 'postgres', 'postgresLegacy'];

/** One token of SQL text; comments and whitespace are not tokens. */
export interface SqlToken {
  /** `word` (keyword or bare identifier), `ident` (quoted identifier), `string`, `number`, `punct`. */
  kind: 'word' | 'ident' | 'string' | 'number' | 'punct';
  /** The token as written. */
  text: string;
  /** For words and quoted identifiers: the name, unquoted; otherwise the text. */
  value: string;
  start: number;
}

/** The tokens of a text and what was left out between them. */
export interface SqlTokens {
  tokens: SqlToken[];
  /** Whether the text holds a comment. */
  hasComment: boolean;
}

/** Raised for text no engine would read as one piece of SQL (unterminated quote, NUL byte). */
export class SqlTokenError extends Error {}

/** Splits `text` into tokens under one grammar; throws SqlTokenError when it cannot. */
export function tokenizeSql(text: string, grammar: SqlGrammar): SqlTokens {
  const pg = grammar !== 'sqlite';
  const tokens: SqlToken[] = [];
  let hasComment = false;
  let i = 0;
  const n = text.length;
  const push = (kind: SqlToken['kind'], start: number, end: number, value = text.slice(start, end)) => {
    tokens.push({ kind, text: text.slice(start, end), value, start });
  };
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '\0') throw new SqlTokenError('NUL byte in SQL text');
    if (isSpace(ch)) {
      i++;
    } else if (ch === '-' && next === '-') {
      hasComment = true;
      i = lineCommentEnd(text, i + 2, pg);
    } else if (ch === '/' && next === '*') {
      hasComment = true;
      i = blockCommentEnd(text, i + 2, pg);
    } else if (ch === "'") {
      const end = quotedEnd(text, i + 1, "'", grammar === 'postgresLegacy');
      push('string', i, end);
      i = end;
    } else if (ch === '"' || (!pg && (ch === '`' || ch === '['))) {
      const close = ch === '[' ? ']' : ch;
      const end = ch === '[' ? closingBracket(text, i + 1) : quotedEnd(text, i + 1, close, false);
      const inner = text.slice(i + 1, end - 1);
      push('ident', i, end, ch === '[' ? inner : inner.split(close + close).join(close));
      i = end;
    } else if (pg && ch === '$' && dollarTag(text, i) !== null) {
      const tag = dollarTag(text, i)!;
      const close = text.indexOf(tag, i + tag.length);
      if (close < 0) throw new SqlTokenError('unterminated dollar-quoted string');
      push('string', i, close + tag.length);
      i = close + tag.length;
    } else if (isWordStart(ch)) {
      let end = i + 1;
      while (end < n && isWordPart(text[end]!, pg)) end++;
      const word = text.slice(i, end);
      // PostgreSQL's escape string: E'…' (the E alone, right before the quote).
      if (pg && (word === 'E' || word === 'e') && text[end] === "'") {
        const close = quotedEnd(text, end + 1, "'", true);
        push('string', i, close);
        i = close;
      } else {
        push('word', i, end);
        i = end;
      }
    } else if (isDigit(ch) || (ch === '.' && next !== undefined && isDigit(next))) {
      let end = i + 1;
      while (end < n && (isWordPart(text[end]!, false) || text[end] === '.')) end++;
      push('number', i, end);
      i = end;
    } else {
      push('punct', i, i + 1);
      i++;
    }
  }
  return { tokens, hasComment };
}

/**
 * Checks that `text` is exactly one statement under every grammar: no `;` outside
 * literals and quoted names except at the very end, every quote and comment
 * closed, no NUL byte. Returns the text without its trailing `;`, or throws
 * SqlTokenError saying why not.
 */
export function singleStatement(text: string): string {
  let body = text.trimEnd();
  while (body.endsWith(';')) body = body.slice(0, -1).trimEnd();
  for (const grammar of SQL_GRAMMARS) {
    if (tokenizeSql(body, grammar).tokens.some((t) => t.kind === 'punct' && t.value === ';')) {
      throw new SqlTokenError('only one statement is allowed');
    }
  }
  return body;
}

/**
 * Whether `text` is one self-contained expression under every grammar: no `;`, no
 * comment, every quote, comment and parenthesis closed.
 */
export function isOneExpression(text: string): boolean {
  try {
    for (const grammar of SQL_GRAMMARS) {
      const { tokens, hasComment } = tokenizeSql(text, grammar);
      if (hasComment || tokens.length === 0) return false;
      let depth = 0;
      for (const t of tokens) {
        if (t.kind !== 'punct') continue;
        if (t.value === ';') return false;
        if (t.value === '(') depth++;
        else if (t.value === ')' && --depth < 0) return false;
      }
      if (depth !== 0) return false;
    }
    return true;
  } catch (err) {
    if (err instanceof SqlTokenError) return false;
    throw err;
  }
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v';
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isWordStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_' || ch.charCodeAt(0) >= 0x80;
}

// NOTE: PostgreSQL identifiers may hold `$` after their first letter (`a$$b` is one
// name, not the start of a dollar quote); SQLite's may too, but `$` never quotes there.
function isWordPart(ch: string, pg: boolean): boolean {
  return isWordStart(ch) || isDigit(ch) || (pg && ch === '$');
}

/** The index after a `--` comment: the end of the line (PostgreSQL also ends one at `\r`). */
function lineCommentEnd(text: string, from: number, pg: boolean): number {
  let i = from;
  while (i < text.length && text[i] !== '\n' && !(pg && text[i] === '\r')) i++;
  return i;
}

/** The index after a block comment; PostgreSQL's nest, SQLite's end at the first `*\/`. */
function blockCommentEnd(text: string, from: number, nested: boolean): number {
  let depth = 1;
  let i = from;
  while (i < text.length) {
    if (text[i] === '*' && text[i + 1] === '/') {
      i += 2;
      if (--depth === 0) return i;
    } else if (nested && text[i] === '/' && text[i + 1] === '*') {
      i += 2;
      depth++;
    } else {
      i++;
    }
  }
  throw new SqlTokenError('unterminated comment');
}

/** The index after a literal quoted with `q` (doubled `q` inside), `\`-escapes when `backslash`. */
function quotedEnd(text: string, from: number, q: string, backslash: boolean): number {
  let i = from;
  while (i < text.length) {
    const ch = text[i]!;
    if (backslash && ch === '\\') {
      i += 2;
    } else if (ch === q) {
      if (text[i + 1] !== q) return i + 1;
      i += 2;
    } else {
      i++;
    }
  }
  throw new SqlTokenError('unterminated quoted text');
}

function closingBracket(text: string, from: number): number {
  const close = text.indexOf(']', from);
  if (close < 0) throw new SqlTokenError('unterminated quoted name');
  return close + 1;
}

/** The `$tag$` opening a dollar quote at `i`, or null (`$1` is a parameter, `$` alone an operator). */
function dollarTag(text: string, i: number): string | null {
  let end = i + 1;
  if (end < text.length && text[end] !== '$') {
    if (!isWordStart(text[end]!)) return null;
    while (end < text.length && (isWordStart(text[end]!) || isDigit(text[end]!))) end++;
  }
  return text[end] === '$' ? text.slice(i, end + 1) : null;
}
