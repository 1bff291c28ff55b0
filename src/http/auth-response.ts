/**
 * What the sign-in routes share (password, OTP and OAuth2; docs/api.md §5.1, §5.4): the auth
 * response, and the MFA session a sign-in continues.
 */
import type { FastifyRequest } from 'fastify';
import type { AuthResult } from '../core/auth/auth-service.js';
import type { RecordService } from '../core/records/record-service.js';
import { firstQueryValue, parseExpand } from './list-params.js';
import { requestInfo } from './request-auth.js';

/** The auth response of docs/api.md §5.1: the token and the record, email always included. */
export async function authResponse(request: FastifyRequest, records: RecordService, result: AuthResult): Promise<Record<string, unknown>> {
  const req = requestInfo(request);
  const viewer = { ...req, auth: { collection: result.collection, record: result.record }, isSuperuser: req.isSuperuser || result.collection.name === '_superusers' };
  const expand = parseExpand(firstQueryValue(request.query, 'expand'));
  const [record] = await records.present(records.db, result.collection, [result.record], { expand }, viewer);
  return { token: result.token, record };
}

/** The MFA session a sign-in continues: `mfaId` in the body, or `?mfaId=` (docs/api.md §5.4). */
export function requestMfaId(request: FastifyRequest, body: Record<string, unknown>): string | undefined {
  const value = typeof body.mfaId === 'string' && body.mfaId !== '' ? body.mfaId : firstQueryValue(request.query, 'mfaId');
  return value ? value : undefined;
}
