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

/** Options of parseFilter; rules may be longer and larger than client filters. */
export interface ParseFilterOptions {
  /** The longest input accepted, in UTF-16 code units; default MAX_FILTER_LENGTH (3500). */
  maxLength?: number;
  /** The most comparison expressions accepted; default MAX_FILTER_EXPRESSIONS (200). */
  maxExpressions?: number;
}

/**
 * Parses a filter or rule expression (spec §4.1) into its AST. `&&` binds tighter
 * than `||`; a chain of the same join becomes one n-ary LogicalNode, and a nested
 * group with the same join as its parent is merged into it. Throws a FilterError,
 * and nothing else, for any input it rejects.
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): FilterNode {
  const maxLength = options.maxLength ?? MAX_FILTER_LENGTH;
  if (typeof text !== 'string') throw new FilterError('filter must be a string');
  if (text.length > maxLength) throw new FilterError(`filter longer than ${maxLength} characters`);
  const parser = new Parser(tokenize(text), options.maxExpressions ?? MAX_FILTER_EXPRESSIONS);
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

// NOTE: recursion is bounded by MAX_FILTER_DEPTH for groups and MAX_FUNCTION_DEPTH
// for calls; both are checked before descending, so hostile input like 100k '('
// fails with a FilterError instead of overflowing the stack.
class Parser {
  private i = 0;
  private comparisons = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly maxExpressions: number,
  ) {}

  parse(): FilterNode {
    if (this.peek().type === 'eof') throw new FilterError('empty expression');
    const node = this.parseExpr(0);
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

  private parseExpr(depth: number): FilterNode {
    const ors: FilterNode[] = [];
    let ands: FilterNode[] = [this.parseGroup(depth)];
    while (this.peek().type === 'join') {
      const join = this.next().value;
      const group = this.parseGroup(depth);
      if (join === '&&') {
        ands.push(group);
      } else {
        ors.push(joinNodes('and', ands));
        ands = [group];
      }
    }
    ors.push(joinNodes('and', ands));
    return joinNodes('or', ors);
  }

  private parseGroup(depth: number): FilterNode {
    const token = this.peek();
    if (token.type !== '(') return this.parseComparison();
    if (depth >= MAX_FILTER_DEPTH) throw new FilterError(`parentheses nested deeper than ${MAX_FILTER_DEPTH}`, token.pos);
    this.next();
    if (this.peek().type === ')') throw new FilterError('empty group', token.pos);
    const inner = this.parseExpr(depth + 1);
    const close = this.next();
    if (close.type === 'eof') throw new FilterError("unbalanced '('", token.pos);
    if (close.type !== ')') throw this.unexpected(close, "'&&', '||' or ')'");
    return inner;
  }

  private parseComparison(): CompareNode {
    const left = this.parseOperand(0);
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

  private parseOperand(fnDepth: number): Operand {
    const token = this.next();
    switch (token.type) {
      case 'identifier':
        return token.call ? this.parseCall(token, fnDepth) : { kind: 'identifier', name: token.value };
      case 'text':
        return { kind: 'text', value: token.value };
      case 'number':
        return { kind: 'number', value: Number(token.value), raw: token.value };
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
