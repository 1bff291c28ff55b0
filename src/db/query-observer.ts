/**
 * What every database statement reports when it ends (docs/observability.md §1): its kind
 * and duration go to the metrics, and with tracing on it becomes a SQL span. The drivers'
 * own wrappers call it (the SQLite statement cache, the PostgreSQL pool client): the
 * cheapest place, with no promise or event object of its own per statement.
 */
import type { QueryKind } from '../core/metrics/node-metrics.js';
import { pastSpan, tracing } from '../tools/tracing.js';

/** What is told of a finished statement: its kind and how long it took, never its SQL or values. */
export type QueryObserver = (kind: QueryKind, seconds: number) => void;

/** The first words of a statement that have a kind of their own (`with` reads, as Plinth writes it). */
const KINDS: Record<string, QueryKind> = { select: 'select', with: 'select', insert: 'insert', update: 'update', delete: 'delete' };

/** The kind of a statement, from its first word. */
export function statementKind(text: string): QueryKind {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  let j = i;
  while (j < text.length && j - i < 7 && text.charCodeAt(j) > 32) j++;
  return KINDS[text.slice(i, j).toLowerCase()] ?? 'other';
}

/**
 * Reports a statement that began at `startMs` (`performance.now()`) and ended now. The SQL
 * text goes into the span only: it holds no values, which are always bound.
 */
export function reportQuery(observer: QueryObserver, system: 'sqlite' | 'postgresql', kind: QueryKind, text: string, startMs: number, error?: unknown): void {
  const ms = performance.now() - startMs;
  observer(kind, ms / 1000);
  const tracer = tracing.tracer;
  if (tracer) {
    const operation = kind.toUpperCase();
    pastSpan(tracer, `${operation} ${system}`, { 'db.system.name': system, 'db.operation.name': operation, 'db.query.text': text }, ms, error);
  }
}
