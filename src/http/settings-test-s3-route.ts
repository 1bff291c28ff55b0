/**
 * `POST /api/settings/test/s3` (docs/api.md §9, superusers only): `{filesystem:
 * "storage"|"backups"}` → 204 when the saved S3 settings of that filesystem reach a
 * working bucket, else 400 with the store's error (docs/operations.md, "S3 storage").
 */
import type { FastifyInstance } from 'fastify';
import { recordBody } from './record-body-input.js';
import { assertSuperuser } from './request-auth.js';

/** What the route needs: the test itself, given the request's `filesystem`. */
export interface TestS3RouteDeps {
  testS3(filesystem: unknown): Promise<void>;
}

/** Registers the S3 test route. */
export function registerTestS3Route(app: FastifyInstance, deps: TestS3RouteDeps): void {
  app.post('/api/settings/test/s3', async function testS3(request, reply) {
    assertSuperuser(request);
    await deps.testS3(recordBody(request).filesystem);
    return reply.code(204).send();
  });
}
