/**
 * `POST /api/settings/apple/generate-client-secret` (docs/api.md §9, superusers
 * only): `{clientId, teamId, keyId, privateKey, duration}` → `{secret}`.
 */
import type { FastifyInstance } from 'fastify';
import { generateAppleClientSecret } from '../core/auth/oauth2/apple-client-secret.js';
import { recordBody } from './record-body-input.js';
import { assertSuperuser } from './request-auth.js';

/** Registers the Apple client secret route. */
export function registerAppleSecretRoutes(app: FastifyInstance): void {
  app.post('/api/settings/apple/generate-client-secret', async function generateAppleSecret(request) {
    assertSuperuser(request);
    return { secret: await generateAppleClientSecret(recordBody(request)) };
  });
}
