/**
 * Statements whose SQL text depends only on a few names (a table, its columns), not
 * on values: built and compiled by Kysely once, then run as that text with new
 * parameters. Kysely otherwise builds, freezes and compiles the same query tree on
 * every call, which costs a third as much as running it for a primary-key read.
 */
import { CompiledQuery, type QueryResult, type RawBuilder } from 'kysely';
import type { Executor } from './database.js';

/** A statement shape: its key names everything its SQL text depends on. */
export interface CachedSql<R> {
  /** Names the text: equal keys must give equal SQL (e.g. `find\u0000products`). */
  key: string;
  /** The values bound, in the order the built query binds them. */
  params: readonly unknown[];
  /** Builds the query with `params` bound; called once per key and dialect. */
  build: (params: readonly unknown[]) => RawBuilder<R>;
}

// SQL texts by executor kind and key. Bounded: keys follow collections and columns,
// which change only with the schema.
const texts = new WeakMap<object, Map<string, string>>();
const MAX_TEXTS = 2_000;

/** Runs a statement of a cached shape on `exec`. */
export async function runCached<R>(exec: Executor, statement: CachedSql<R>): Promise<QueryResult<R>> {
  // NOTE: keyed by the executor's adapter, so SQLite and PostgreSQL nodes in one process
  // (tests) never share a text; a transaction shares its database's adapter.
  const adapter = exec.getExecutor().adapter;
  let byKey = texts.get(adapter);
  if (!byKey) {
    byKey = new Map();
    texts.set(adapter, byKey);
  }
  let text = byKey.get(statement.key);
  if (text === undefined) {
    const compiled = statement.build(statement.params).compile(exec);
    if (compiled.parameters.length !== statement.params.length) {
      // A shape that binds other values than it declares cannot be reused; run it as built.
      return exec.executeQuery(compiled);
    }
    text = compiled.sql;
    if (byKey.size >= MAX_TEXTS) byKey.clear();
    byKey.set(statement.key, text);
  }
  return exec.executeQuery<R>(CompiledQuery.raw(text, [...statement.params]));
}
