/**
 * Inline syntax errors of the rule editor (docs/rule-editor.md): the server's own lexer and
 * parser (src/filter, pure TypeScript, bundled through the `@plinth/filter` alias), so the
 * dashboard accepts exactly the grammar the API accepts.
 */
import { parseFilter } from '@plinth/filter/parser.js';
import { isFilterError } from '@plinth/filter/filter-error.js';

/** A syntax error: the parser's reason and the 0-based offset it points at, if any. */
export interface SyntaxProblem {
  message: string;
  position: number | undefined;
}

/** The longest rule the server accepts (RULE_PARSE_LIMITS in src/core/rules/rule-compiler.ts). */
export const RULE_MAX_LENGTH = 100_000;

/**
 * The syntax error of `text`, or null when it parses (or is empty: an empty rule is public and
 * an empty filter lists everything). `kind` picks the server's limits for rules or client filters.
 */
export function checkSyntax(text: string, kind: 'rule' | 'filter'): SyntaxProblem | null {
  if (text.trim() === '') return null;
  try {
    parseFilter(text, kind === 'rule' ? { maxLength: RULE_MAX_LENGTH } : {});
    return null;
  } catch (err) {
    if (!isFilterError(err)) throw err;
    // The reason ends with " at N" when there is a position: the editor says where in words instead.
    const message = err.position === undefined ? err.reason : err.reason.slice(0, err.reason.length - ` at ${err.position}`.length);
    return { message, position: err.position };
  }
}

/** `line 2, column 5` for a 0-based offset. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

const EXPRESSION_CHARS = '=!<>~&|()';

/**
 * Whether a search box's text is plain words rather than a filter: it has no operator, join or
 * parenthesis. Boxes that accept both (the records search, as PocketBase's) search such text.
 */
export function isPlainText(text: string): boolean {
  for (const c of text) if (EXPRESSION_CHARS.includes(c)) return false;
  return true;
}
