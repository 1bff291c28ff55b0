/**
 * Writes a parsed filter back as source text (docs/filter-language.md), so a tool can
 * name a sub-expression the way a person would have written it. Parsing the text
 * again gives the same tree.
 */
import type { FilterNode, Operand } from './ast.js';

/** The source text of a filter node; a nested group is parenthesized. */
export function formatFilter(node: FilterNode): string {
  if (node.kind === 'compare') {
    return `${formatOperand(node.left)} ${node.any ? '?' : ''}${node.op} ${formatOperand(node.right)}`;
  }
  const joiner = node.op === 'and' ? ' && ' : ' || ';
  return node.items.map((item) => (item.kind === 'logical' ? `(${formatFilter(item)})` : formatFilter(item))).join(joiner);
}

/** The source text of one operand. */
export function formatOperand(op: Operand): string {
  switch (op.kind) {
    case 'identifier':
      return op.name;
    case 'number':
      return op.raw;
    case 'text':
      return quoteText(op.value);
    case 'function':
      return `${op.name}(${op.args.map(formatOperand).join(', ')})`;
    case 'placeholder':
      return `{:${op.name}}`;
  }
}

/** Double-quoted text with the lexer's escapes (backslash, quote, line breaks, tab). */
function quoteText(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '\\' || ch === '"') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return `${out}"`;
}
