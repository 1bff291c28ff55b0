/** What PostgreSQL's errors say, read where Plinth tells them apart. */

/** SQLSTATE of a statement cancelled: by `statement_timeout`, or by a cancel request (`pg_cancel_backend`). */
const QUERY_CANCELED = '57014';

/** Whether `err` is a PostgreSQL error of SQLSTATE QUERY_CANCELED. */
export function isQueryCanceled(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === QUERY_CANCELED;
}
