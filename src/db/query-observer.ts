/**
 * The one seam every database statement passes (Kysely's `log` hook, docs/observability.md §1):
 * its duration goes to the statement-kind histogram, and with tracing on it becomes a SQL
 * span. Kysely times each statement itself; this adds one call after it.
 */
import type { LogEvent, Logger, RootOperationNode } from 'kysely';
import type { QueryKind } from '../core/metrics/node-metrics.js';
import { pastSpan, tracing } from '../tools/tracing.js';

/** What is told of a finished statement: its kind and how long it took, never its values. */
export type QueryObserver = (kind: QueryKind, seconds: number) => void;

const KINDS: Partial<Record<RootOperationNode['kind'], QueryKind>> = {
  SelectQueryNode: 'select', InsertQueryNode: 'insert', UpdateQueryNode: 'update', DeleteQueryNode: 'delete',
};

/** The words a raw statement may start with that have a kind of their own. */
const RAW_KINDS: Record<string, QueryKind> = { select: 'select', with: 'select', insert: 'insert', update: 'update', delete: 'delete' };

/** The kind of a statement: from Kysely's query tree, or the first word of raw SQL. */
export function queryKind(node: RootOperationNode, text: string): QueryKind {
  const kind = KINDS[node.kind];
  if (kind) return kind;
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  let j = i;
  while (j < text.length && j - i < 6 && text.charCodeAt(j) > 32) j++;
  return RAW_KINDS[text.slice(i, j).toLowerCase()] ?? 'other';
}

/** A Kysely `log` function that tells `observer` of every statement and traces it when tracing is on. */
export function queryLogger(observer: QueryObserver, system: 'sqlite' | 'postgresql'): Logger {
  return (event: LogEvent) => {
    const compiled = event.query;
    const kind = queryKind(compiled.query, compiled.sql);
    observer(kind, event.queryDurationMillis / 1000);
    const tracer = tracing.tracer;
    if (tracer) {
      // The SQL text holds no values (they are bound), so it may travel in the span.
      pastSpan(tracer, `${kind.toUpperCase()} ${system}`, { 'db.system.name': system, 'db.operation.name': kind.toUpperCase(), 'db.query.text': compiled.sql },
        event.queryDurationMillis, event.level === 'error' ? event.error : undefined);
    }
  };
}
