/**
 * Statements whose SQL text depends only on a few names (a table, its columns), not
 * on values: built and compiled by Kysely once, then run as that text with new
 * parameters. Kysely otherwise builds, freezes and compiles the same query tree on
 * every call, which costs a third as much as running it for a primary-key read.
 */
import { CompiledQuery, type QueryResult, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';

/** A statement shape: its key names everything its SQL text depends on. */
export interface CachedSql<R> {
  /** Names the text: equal keys must give equal SQL (e.g. `find\u0000products`). */
  key: string;
  /** The values bound, in the order the built query binds them. */
  params: readonly unknown[];
  /** Builds the query with `params` bound; called once per key and dialect. */
  build: (params: readonly unknown[]) => RawBuilder<R>;
}

/**
 * A compiled statement's text, the adapter it was written for, and the values it binds
 * ahead of the caller's (those of a condition built into it, e.g. a compiled rule).
 */
export interface SqlText {
  adapter: object;
  text: string;
  leading: readonly unknown[];
}

/**
 * The query for `params`: run as `known`'s text when it was written for this executor's
 * adapter, else built and compiled, and `remember`ed when the values it binds end with
 * `params` (so later calls need only bind new ones).
 * NOTE: the adapter check keeps SQLite and PostgreSQL nodes in one process (tests) from
 * sharing a text; a transaction shares its database's adapter.
 */
export function compileOnce<R>(
  exec: Executor, known: SqlText | undefined, params: readonly unknown[],
  build: (params: readonly unknown[]) => RawBuilder<R>, remember: (text: SqlText) => void,
): CompiledQuery<R> {
  const adapter = exec.getExecutor().adapter;
  if (known && known.adapter === adapter) return CompiledQuery.raw(known.text, [...known.leading, ...params]);
  const compiled = build(params).compile(exec);
  const bound = compiled.parameters;
  const split = bound.length - params.length;
  // A shape that binds other values than it declares cannot be reused; it runs as built.
  if (split >= 0 && params.every((value, i) => bound[split + i] === value)) {
    remember({ adapter, text: compiled.sql, leading: bound.slice(0, split) });
  }
  return compiled;
}

// Texts by key. Bounded: keys follow collections and columns, which change only with the schema.
const texts = new Map<string, SqlText>();
const MAX_TEXTS = 2_000;

/** Runs a statement of a cached shape on `exec`. */
export async function runCached<R>(exec: Executor, statement: CachedSql<R>): Promise<QueryResult<R>> {
  const query = compileOnce(exec, texts.get(statement.key), statement.params, statement.build, (text) => {
    if (texts.size >= MAX_TEXTS) texts.clear();
    texts.set(statement.key, text);
  });
  return exec.executeQuery(query);
}
