/**
 * The auth flows that mail a link or a code (spec §5.6, §5.8): verification,
 * password reset, email change, and OTP sign-in, on every auth collection.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthFlows } from '../core/auth/auth-flows.js';
import type { AuthService } from '../core/auth/auth-service.js';
import type { OtpService } from '../core/auth/otp-service.js';
import type { RecordService } from '../core/records/record-service.js';
import type { AuthCollection } from '../core/collections/collection.js';
import { authResponse, requestMfaId } from './auth-response.js';
import { recordBody } from './record-body-input.js';
import { requestInfo } from './request-auth.js';

type Params = { collection: string };

/** What the auth flow routes need. */
export interface AuthFlowRoutesDeps {
  auth: AuthService;
  flows: AuthFlows;
  otp: OtpService;
  records: RecordService;
}

/** Registers request/confirm verification, password reset, email change, request-otp and auth-with-otp. */
export function registerAuthFlowRoutes(app: FastifyInstance, deps: AuthFlowRoutesDeps): void {
  const base = '/api/collections/:collection';
  const { auth, flows, otp } = deps;
  // Each request/confirm flow answers 204 with no body (spec §1.4, §5.8).
  const noContent: [string, (c: AuthCollection, body: Record<string, unknown>, request: FastifyRequest) => Promise<void>][] = [
    ['request-verification', (c, body) => flows.requestVerification(c, body)],
    ['confirm-verification', (c, body) => flows.confirmVerification(c, body)],
    ['request-password-reset', (c, body) => flows.requestPasswordReset(c, body)],
    ['confirm-password-reset', (c, body) => flows.confirmPasswordReset(c, body)],
    ['request-email-change', (c, body, request) => flows.requestEmailChange(c, body, requestInfo(request))],
    ['confirm-email-change', (c, body) => flows.confirmEmailChange(c, body)],
  ];
  for (const [path, run] of noContent) {
    app.post<{ Params: Params }>(`${base}/${path}`, async (request, reply) => {
      const c = auth.authCollection(request.params.collection);
      await run(c, recordBody(request), request);
      return reply.code(204).send();
    });
  }

  app.post<{ Params: Params }>(`${base}/request-otp`, async function requestOtp(request) {
    const c = auth.authCollection(request.params.collection);
    return otp.request(c, recordBody(request));
  });

  app.post<{ Params: Params }>(`${base}/auth-with-otp`, async function authWithOtp(request) {
    const c = auth.authCollection(request.params.collection);
    const body = recordBody(request);
    const result = await otp.authWithOtp(c, body, requestInfo(request, 'otp', body), requestMfaId(request, body));
    return authResponse(request, deps.records, result);
  });
}

