import type { CompareNode, CompareOp, FilterNode, FunctionOperand, LogicalNode, Operand } from './ast.js';
import { FilterError } from './filter-error.js';
import {
  MAX_FILTER_DEPTH,
  MAX_FILTER_EXPRESSIONS,
  MAX_FILTER_LENGTH,
  MAX_FUNCTION_ARGS,
  MAX_FUNCTION_DEPTH,
} from './filter-limits.js';
import { tokenize, type Token } from './lexer.js';

/**
 * Functions that are conditions by themselves (docs/search.md §2): written without an
 * operator, `search('x')` reads as `search('x') = true`.
 */
export const CONDITION_FUNCTIONS: ReadonlySet<string> = new Set(['search']);

/** Options of parseFilter; rules may be longer and larger than client filters. */
export interface ParseFilterOptions {
  /** The longest input accepted, in UTF-16 code units; default MAX_FILTER_LENGTH (3500). */
  maxLength?: number;
  /** The most comparison expressions accepted; default MAX_FILTER_EXPRESSIONS (200). */
  maxExpressions?: number;
  /** Whether `{:name}` placeholders are accepted (filters of app code, bound from its params). */
  placeholders?: boolean;
}

/**
 * Parses a filter or rule expression (docs/api.md §4.1) into its AST. `&&` binds tighter
 * than `||`; a chain of the same join becomes one n-ary LogicalNode, and a nested
 * group with the same join as its parent is merged into it. Throws a FilterError,
 * and nothing else, for any input it rejects.
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? MAX_FILTER_LENGTH;
  if (typeof text !== 'string') throw new FilterError('filter must be a string');
  if (text.length > maxLength) throw new FilterError(`filter longer than ${maxLength} characters`);
  const parser = new Parser(tokenize(text, { placeholders: options.placeholders }), options.maxExpressions ?? MAX_FILTER_EXPRESSIONS);
  return parser.parse();
}

function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'end of input';
    case 'text':
      return `text ${JSON.stringify(token.value.length > 20 ? `${token.value.slice(0, 20)}…` : token.value)}`;
    default:
      return `token '${token.value}'`;
  }
}

/** One open level of an expression: the top level, or a `(` group not yet closed. */
interface Level {
  /** The `(` that opened it; null for the top level. */
  open: Token | null;
  /** The `||` alternatives finished so far. */
  ors: FilterNode[];
  /** The `&&` chain being built. */
  ands: FilterNode[];
  /** The join read after the last item, waiting for the next one. */
  join: string;
}

// NOTE: parentheses are parsed with an explicit stack of levels, not by recursion, so
// deep nesting costs no call stack at all (PocketBase has no depth limit, and 3,500
// characters hold 1,748 levels). MAX_FILTER_DEPTH and MAX_FUNCTION_DEPTH (calls still
// recurse) are checked before descending, so hostile input fails with a FilterError.
class Parser {
  private i = 0;
  private comparisons = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly maxExpressions: number,
  ) {}

  parse(): FilterNode {
    if (this.peek().type === 'eof') throw new FilterError('empty expression');
    const node = this.parseExpr();
    const rest = this.peek();
    if (rest.type === ')') throw new FilterError("unbalanced ')'", rest.pos);
    if (rest.type !== 'eof') throw this.unexpected(rest, "'&&' or '||'");
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    const token = this.tokens[this.i]!;
    if (token.type !== 'eof') this.i++;
    return token;
  }

  private unexpected(token: Token, expected?: string): FilterError {
    if (token.type === 'eof') return new FilterError(`incomplete expression${expected ? `: expected ${expected}` : ''}`, token.pos);
    return new FilterError(`unexpected ${describe(token)}${expected ? `, expected ${expected}` : ''}`, token.pos);
  }

  /** `group (join group)*` where a group is `( expr )` or a comparison; stops before a token that ends the top level. */
  private parseExpr(): FilterNode {
    const levels: Level[] = [{ open: null, ors: [], ands: [], join: '' }];
    for (;;) {
      const token = this.peek();
      if (token.type === '(') {
        if (levels.length > MAX_FILTER_DEPTH) throw new FilterError(`parentheses nested deeper than ${MAX_FILTER_DEPTH}`, token.pos);
        this.next();
        if (this.peek().type === ')') throw new FilterError('empty group', token.pos);
        levels.push({ open: token, ors: [], ands: [], join: '' });
        continue;
      }
      let node: FilterNode = this.parseComparison();
      // Adds the node to its level; a level that ends with it closes into a node of its parent.
      for (;;) {
        const level = levels[levels.length - 1]!;
        addToLevel(level, node);
        if (this.peek().type === 'join') {
          level.join = this.next().value;
          break;
        }
        if (level.open === null) return finishLevel(level);
        const close = this.next();
        if (close.type === 'eof') throw new FilterError("unbalanced '('", level.open.pos);
        if (close.type !== ')') throw this.unexpected(close, "'&&', '||' or ')'");
        levels.pop();
        node = finishLevel(level);
      }
    }
  }

  private parseComparison(): CompareNode {
    const left = this.parseOperand(0);
    if (left.kind === 'function' && CONDITION_FUNCTIONS.has(left.name) && this.peek().type !== 'op') return this.conditionCall(left);
    const opToken = this.next();
    if (opToken.type !== 'op') throw this.unexpected(opToken, 'an operator');
    const right = this.parseOperand(0);
    this.comparisons++;
    if (this.comparisons > this.maxExpressions) {
      throw new FilterError(`more than ${this.maxExpressions} comparison expressions`, opToken.pos);
    }
    const any = opToken.value.startsWith('?');
    const op = (any ? opToken.value.slice(1) : opToken.value) as CompareOp;
    return { kind: 'compare', op, any, left, right };
  }

  /** A call written alone as a condition, e.g. `search('red shoes')`: it means `call = true`. */
  private conditionCall(call: FunctionOperand): CompareNode {
    this.comparisons++;
    if (this.comparisons > this.maxExpressions) throw new FilterError(`more than ${this.maxExpressions} comparison expressions`);
    return { kind: 'compare', op: '=', any: false, left: call, right: { kind: 'identifier', name: 'true' } };
  }

  private parseOperand(fnDepth: number): Operand {
    const token = this.next();
    switch (token.type) {
      case 'identifier':
        return token.call ? this.parseCall(token, fnDepth) : { kind: 'identifier', name: token.value };
      case 'text':
        return { kind: 'text', value: token.value };
      case 'number':
        return { kind: 'number', value: Number(token.value), raw: token.value };
      case 'placeholder':
        return { kind: 'placeholder', name: token.value };
      default:
        throw this.unexpected(token, 'an identifier, text, number or function');
    }
  }

  private parseCall(name: Token, fnDepth: number): FunctionOperand {
    if (fnDepth >= MAX_FUNCTION_DEPTH) throw new FilterError(`functions nested deeper than ${MAX_FUNCTION_DEPTH}`, name.pos);
    if (!/^[A-Za-z_]\w*$/.test(name.value)) throw new FilterError(`invalid function name '${name.value}'`, name.pos);
    this.next(); // the '(' the lexer saw glued to the name
    const args: Operand[] = [];
    while (this.peek().type !== ')') {
      if (args.length === MAX_FUNCTION_ARGS) {
        throw new FilterError(`function '${name.value}' takes at most ${MAX_FUNCTION_ARGS} arguments`, this.peek().pos);
      }
      args.push(this.parseOperand(fnDepth + 1));
      const sep = this.peek();
      if (sep.type === ',') this.next();
      else if (sep.type !== ')') throw this.unexpected(sep, "',' or ')'");
    }
    this.next();
    return { kind: 'function', name: name.value, args };
  }
}

/** Adds the next item of a level: `&&` extends the chain, `||` closes it into an alternative. */
function addToLevel(level: Level, node: FilterNode): void {
  if (level.join === '||') {
    level.ors.push(joinNodes('and', level.ands));
    level.ands = [node];
  } else {
    level.ands.push(node);
  }
}

/** The node of a finished level: its alternatives, each an `&&` chain. */
function finishLevel(level: Level): FilterNode {
  level.ors.push(joinNodes('and', level.ands));
  return joinNodes('or', level.ors);
}

// A one-item join is the item itself; a child with the same join is spliced in,
// since `(a && b) && c` and `a && b && c` mean the same.
function joinNodes(op: LogicalNode['op'], items: FilterNode[]): FilterNode {
  if (items.length === 1) return items[0]!;
  const flat: FilterNode[] = [];
  for (const item of items) {
    if (item.kind === 'logical' && item.op === op) for (const sub of item.items) flat.push(sub);
    else flat.push(item);
  }
  return { kind: 'logical', op, items: flat };
}
