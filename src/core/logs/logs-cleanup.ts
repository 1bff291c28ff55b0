/**
 * Log retention (docs/operations.md §Logs): PocketBase's system cron
 * `__pbLogsCleanup__` (every 6 hours) deletes the entries older than
 * `settings.logs.maxDays` days — all of them when it is 0, as PocketBase does.
 */
import { formatDateTime } from '../../tools/datetime.js';
import type { CronScheduler } from '../jobs/cron-scheduler.js';
import type { LogStore } from './log-store.js';

const DAY_MS = 86_400_000;

/** The id and schedule of the cron, as `GET /api/crons` lists them. */
export const LOGS_CLEANUP_CRON = { id: '__pbLogsCleanup__', expression: '0 */6 * * *' } as const;

/** What the cleanup needs. */
export interface LogsCleanupDeps {
  store: LogStore;
  settings: () => { maxDays: number };
  now?: () => number;
}

/** Deletes the entries past retention. */
export async function deleteOldLogs(deps: LogsCleanupDeps): Promise<void> {
  const now = (deps.now ?? Date.now)();
  const days = Math.max(0, deps.settings().maxDays);
  await deps.store.deleteBefore(formatDateTime(new Date(now - days * DAY_MS)));
}

/** Adds `__pbLogsCleanup__` to `crons`. */
export function addLogsCleanupCron(crons: CronScheduler, deps: LogsCleanupDeps): void {
  crons.add(LOGS_CLEANUP_CRON.id, LOGS_CLEANUP_CRON.expression, () => deleteOldLogs(deps));
}
