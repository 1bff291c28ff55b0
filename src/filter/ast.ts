/**
 * The syntax tree of the filter language (docs/api.md §4.1). The parser builds it; the
 * rule compiler in core/rules/ resolves its names against a collection and turns
 * it into a parameterized SQL condition. It knows no collections and no SQL.
 */

/** A comparison operator without its `?` any-of prefix. */
export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

/** A node of a filter expression. */
export type FilterNode = LogicalNode | CompareNode;

/**
 * A LogicalNode joins two or more nodes with AND or OR. `&&` binds tighter than
 * `||`, as in SQL; parentheses in the source only shape the tree.
 */
export interface LogicalNode {
  kind: 'logical';
  op: 'and' | 'or';
  items: FilterNode[];
}

/** A CompareNode is `left op right`; `any` is true for the `?`-prefixed operators. */
export interface CompareNode {
  kind: 'compare';
  op: CompareOp;
  any: boolean;
  left: Operand;
  right: Operand;
}

/** One side of a comparison, or an argument of a function. */
export type Operand = IdentifierOperand | TextOperand | NumberOperand | FunctionOperand | PlaceholderOperand;

/**
 * An IdentifierOperand is a name as written, e.g. `author.name`, `@request.auth.id`,
 * `tags:each`, `@collection.users:u.email`, `@now`, `null`, `true`. The resolver
 * splits it into segments and a modifier.
 */
export interface IdentifierOperand {
  kind: 'identifier';
  name: string;
}

/** A TextOperand is a quoted string with its escapes resolved. */
export interface TextOperand {
  kind: 'text';
  value: string;
}

/** A NumberOperand is a decimal literal (no exponent). */
export interface NumberOperand {
  kind: 'number';
  value: number;
  raw: string;
}

/** A FunctionOperand is `name(arg, …)`, e.g. `geoDistance(a.lon, a.lat, 1, 2)`. */
export interface FunctionOperand {
  kind: 'function';
  name: string;
  args: Operand[];
}

/**
 * A PlaceholderOperand is `{:name}`, a value app code binds when it runs the filter
 * (`app.findRecordsByFilter(c, 'total > {:min}', …, { min: 10 })`). Only filters parsed
 * with `placeholders: true` have them; client filters and rules never do.
 */
export interface PlaceholderOperand {
  kind: 'placeholder';
  name: string;
}

/** One item of a `sort` parameter: a field expression and its direction. */
export interface SortItem {
  name: string;
  desc: boolean;
}
