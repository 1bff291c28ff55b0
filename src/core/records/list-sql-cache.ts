/**
 * The SQL texts of list queries by shape (docs/architecture.md §3, "List statements are kept by shape"): a list's
 * page and COUNT statements depend on the collection, its listRule, the filter, the sort
 * and the requester (RuleCompiler.compiledShapeKey), not on the page or position asked
 * for. Built and compiled once per shape, they run as that text with the new values
 * bound, without compiling the rule, filter and sort or walking Kysely's query tree again.
 */
import { CompiledQuery, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import { Lru } from '../../tools/lru.js';

/** One bound value of a kept text: a value of the request (by index) or one the shape fixes. */
type Bind = { slot: number } | { value: unknown };

interface ShapeText {
  /** The adapter the text was written for (SQLite and PostgreSQL nodes share a process in tests). */
  adapter: object;
  text: string;
  binds: readonly Bind[];
}

// Bounded: a key holds a filter text, which a client chooses.
const texts = new Lru<string, ShapeText>(1_000);

/**
 * The query of shape `key` with `values` bound where `build` places them. `build` gets one
 * stand-in per value and must bind each as it is (no dialect conversion): the stand-ins are
 * fresh objects, found again among the compiled parameters by identity, so no other value
 * the query binds can be taken for one. Null `key`: built and compiled, not kept.
 */
export function listQuery<R>(
  exec: Executor, key: string | null, values: readonly unknown[], build: (slots: readonly unknown[]) => RawBuilder<R>,
): CompiledQuery<R> {
  const adapter = exec.getExecutor().adapter;
  let known = key === null ? undefined : texts.get(key);
  if (!known || known.adapter !== adapter) {
    const stands = values.map(() => ({}));
    const compiled = build(stands).compile(exec);
    const binds = compiled.parameters.map((p): Bind => {
      const slot = stands.indexOf(p as object);
      return slot >= 0 ? { slot } : { value: p };
    });
    known = { adapter, text: compiled.sql, binds };
    if (key !== null) texts.set(key, known);
  }
  return CompiledQuery.raw(known.text, known.binds.map((b) => ('slot' in b ? values[b.slot] : b.value)));
}

/** Whether a text of shape `key` is kept for this executor's database. */
export function knowsShape(exec: Executor, key: string | null): boolean {
  const known = key === null ? undefined : texts.get(key);
  return known !== undefined && known.adapter === exec.getExecutor().adapter;
}
