/**
 * The size limits of the filter and sort languages (docs/api.md §1.7, §4.1). They keep
 * a hostile query from costing more than a bounded amount of parsing and SQL.
 */

/** The longest client filter accepted, in UTF-16 code units (docs/api.md §1.7). */
export const MAX_FILTER_LENGTH = 3500;

/** The most comparison expressions one filter may hold (docs/api.md §1.7). */
export const MAX_FILTER_EXPRESSIONS = 200;

/**
 * The deepest parenthesis nesting accepted. PocketBase has no such limit, and the parser
 * keeps open groups on a list, not the call stack: this only bounds that list for rules
 * (up to 100,000 characters), above the 1,748 levels a client filter of MAX_FILTER_LENGTH
 * characters can hold, so no client filter meets it.
 */
export const MAX_FILTER_DEPTH = 2000;

/** The deepest function-call nesting accepted, e.g. `a(b(c(1)))` is 3 (docs/api.md §4.1). */
export const MAX_FUNCTION_DEPTH = 3;

/** The most arguments one function call may take (docs/api.md §4.4, strftime's cap). */
export const MAX_FUNCTION_ARGS = 10;

/** The most items a `sort` parameter may hold (docs/api.md §1.7). */
export const MAX_SORT_FIELDS = 8;

/** The longest single `sort` item accepted, in characters (docs/api.md §1.7). */
export const MAX_SORT_FIELD_LENGTH = 255;

/** How many parsed filters the AST cache keeps. */
export const FILTER_CACHE_SIZE = 1000;
