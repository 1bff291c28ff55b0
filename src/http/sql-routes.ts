/**
 * `POST /api/sql` (docs/operations.md "SQL console", superusers only): runs one SQL
 * statement and answers `{execTime, affectedRows, columns, rows, truncated}`, PocketBase's
 * shape plus `truncated`.
 */
import type { FastifyInstance } from 'fastify';
import type { SqlConsoleService } from '../core/sql/sql-console-service.js';
import { recordBody } from './record-body-input.js';
import { assertSuperuser } from './request-auth.js';

/** Registers the SQL console route. */
export function registerSqlRoutes(app: FastifyInstance, sqlConsole: SqlConsoleService): void {
  app.post('/api/sql', async function runSql(request) {
    assertSuperuser(request);
    return sqlConsole.run(recordBody(request).query);
  });
}
