/**
 * Which parts of a rule decided its verdict (docs/rule-editor.md, "Rule tester"). The explainer's
 * trace is flat, depth first in source order; parsing the rule with the server's parser and walking it
 * the same way pairs each step with its node, from which the deciding parts follow:
 * a true `||` is decided by its first true item, a false `&&` by its first false item, and a false
 * `||` or a true `&&` by all of its items.
 */
import type { FilterNode } from '@plinth/filter/ast.js';
import { formatFilter } from '@plinth/filter/filter-format.js';
import { parseFilter } from '@plinth/filter/parser.js';
import { RULE_MAX_LENGTH } from '../../components/rule-editor/syntax-check.js';
import type { TraceStep } from './explain.js';

/** A trace step with its depth in the rule and whether it is on the path that decided the verdict. */
export interface TraceLine extends TraceStep {
  depth: number;
  decides: boolean;
}

interface Visit {
  node: FilterNode;
  depth: number;
}

/** The trace with depths and deciding marks; when the rule cannot be paired with it, every line is flat and unmarked. */
export function traceLines(rule: string, trace: TraceStep[]): TraceLine[] {
  const flat = trace.map((step) => ({ ...step, depth: 0, decides: false }));
  let root: FilterNode;
  try {
    root = parseFilter(rule, { maxLength: RULE_MAX_LENGTH });
  } catch {
    return flat;
  }
  const visits: Visit[] = [];
  const stack: Visit[] = [{ node: root, depth: 0 }];
  while (stack.length > 0 && visits.length < trace.length) {
    const visit = stack.pop()!;
    visits.push(visit);
    if (visit.node.kind === 'logical') {
      for (let i = visit.node.items.length - 1; i >= 0; i--) stack.push({ node: visit.node.items[i]!, depth: visit.depth + 1 });
    }
  }
  if (visits.length !== trace.length || visits.some((v, i) => i > 0 && formatFilter(v.node) !== trace[i]!.expr)) return flat;
  const results = new Map<FilterNode, boolean | null>(visits.map((v, i) => [v.node, trace[i]!.result]));
  const deciding = new Set<FilterNode>();
  markDeciding(root, results, deciding);
  return visits.map((v, i) => ({ ...trace[i]!, depth: v.depth, decides: deciding.has(v.node) }));
}

function markDeciding(node: FilterNode, results: Map<FilterNode, boolean | null>, out: Set<FilterNode>): void {
  const result = results.get(node);
  if (result === undefined || result === null) return;
  out.add(node);
  if (node.kind !== 'logical') return;
  const short = node.op === 'or' ? true : false;
  if (result === short) {
    const first = node.items.find((item) => results.get(item) === short);
    if (first) markDeciding(first, results, out);
  } else {
    for (const item of node.items) markDeciding(item, results, out);
  }
}
