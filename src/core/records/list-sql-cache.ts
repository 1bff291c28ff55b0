/**
 * The SQL texts of list queries by shape (docs/performance.md, "List queries"): a list's
 * page and COUNT statements depend on the collection, its listRule, the filter, the sort
 * and the requester (RuleCompiler.compiledShapeKey), not on the page asked for. Built and
 * compiled once per shape, they run as that text with new LIMIT and OFFSET values, without
 * compiling the rule, filter and sort or walking Kysely's query tree again.
 */
import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import { Lru } from '../../tools/lru.js';
import { compileOnce, type SqlText } from './cached-sql.js';

// Bounded: a key holds a filter text, which a client chooses.
const texts = new Lru<string, SqlText>(1_000);

/** The query of shape `key` with `params` bound after its own values, when one was compiled on this executor's database. */
export function knownQuery<R>(exec: Executor, key: string | null, params: readonly unknown[]): CompiledQuery<R> | undefined {
  const known = key === null ? undefined : texts.get(key);
  if (!known || known.adapter !== exec.getExecutor().adapter) return undefined;
  return CompiledQuery.raw(known.text, [...known.leading, ...params]);
}

/** Compiles `query` (which binds `params` last) and remembers its text under `key` (null: not kept). */
export function compileQuery<R>(exec: Executor, key: string | null, params: readonly unknown[], query: RawBuilder<R>): CompiledQuery<R> {
  return compileOnce(exec, undefined, params, () => query, (text) => {
    if (key !== null) texts.set(key, text);
  });
}
