/**
 * How much a filter costs to evaluate on each row, read off its syntax tree alone: the
 * list query uses it to skip the per-row query budget check where a row costs next to
 * nothing (docs/security.md, "Queries").
 */
import type { FilterNode, Operand } from './ast.js';

/** The most comparisons a filter may have and still count as cheap on each row. */
const CHEAP_COMPARISONS = 8;

/**
 * Whether a filter is cheap on each row: at most CHEAP_COMPARISONS comparisons, none of
 * them a LIKE (`~`, `!~`: cost grows with the text) or a function, and every name a field
 * of the row itself or a plain request value — no relation hop, modifier or `@collection`
 * join, each of which costs a lookup per row.
 */
export function isCheapPerRow(node: FilterNode): boolean {
  let comparisons = 0;
  const visit = (n: FilterNode): boolean => {
    if (n.kind === 'logical') return n.items.every(visit);
    comparisons++;
    if (comparisons > CHEAP_COMPARISONS || n.op === '~' || n.op === '!~') return false;
    return isCheapOperand(n.left) && isCheapOperand(n.right);
  };
  return visit(node);
}

function isCheapOperand(operand: Operand): boolean {
  switch (operand.kind) {
    case 'text':
    case 'number':
    case 'placeholder':
      return true;
    case 'function':
      return false;
    case 'identifier':
      return isCheapName(operand.name);
  }
}

/** A field of the row (`price`), a literal or macro (`null`, `@now`), or a one-level request value (`@request.auth.id`). */
function isCheapName(name: string): boolean {
  if (name.includes(':')) return false;
  if (name.startsWith('@request.')) return name.split('.').length <= 3;
  return !name.includes('.');
}
