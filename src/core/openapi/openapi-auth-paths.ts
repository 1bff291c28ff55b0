/**
 * The auth endpoints of an auth collection (docs/api.md §5): sign-in methods, password,
 * OAuth2 and OTP sign-in, refresh, impersonation, and the request/confirm flows.
 */
import type { AuthCollection } from '../collections/collection.js';
import { errorRef, jsonBody, jsonResponse, NO_CONTENT, pathParam, RECORD_QUERY } from './openapi-common.js';
import { ref, schemaNames } from './openapi-record-schemas.js';
import { AUTH_SCHEME, ruleMarks } from './openapi-rules.js';
import type { DocumentViewer, JsonSchema, Operation, PathItem } from './openapi-types.js';

/** The answer of every sign-in (docs/api.md §5.1). */
export function authResponseSchema(c: AuthCollection): JsonSchema {
  return {
    type: 'object',
    properties: { token: { type: 'string' }, record: ref(schemaNames(c).record), meta: { type: 'object', additionalProperties: true } },
    required: ['token', 'record'],
  };
}

const str = { type: 'string' };
const object = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({ type: 'object', properties, required });

/** The request/confirm flows answering 204 (docs/api.md §5.8): path → body. */
const FLOWS: ReadonlyArray<[string, string, JsonSchema]> = [
  ['request-verification', 'Sends a verification email.', object({ email: str }, ['email'])],
  ['confirm-verification', 'Marks the record verified.', object({ token: str }, ['token'])],
  ['request-password-reset', 'Sends a password reset email.', object({ email: str }, ['email'])],
  ['confirm-password-reset', 'Sets a new password.', object({ token: str, password: str, passwordConfirm: str }, ['token', 'password', 'passwordConfirm'])],
  ['request-email-change', 'Sends a confirmation to the new address (needs the record\'s own token).', object({ newEmail: str }, ['newEmail'])],
  ['confirm-email-change', 'Sets the new email.', object({ token: str, password: str }, ['token', 'password'])],
];

/** The path items of the auth endpoints of `c`, keyed by path. */
export function authPaths(c: AuthCollection, viewer: DocumentViewer): Record<string, PathItem> {
  const base = `/api/collections/${c.name}`;
  const auth = ref(schemaNames(c).auth);
  const tags = [c.name];
  const open = { security: [{}, { [AUTH_SCHEME]: [] }] };
  const needsToken = { security: [{ [AUTH_SCHEME]: [] }] };
  const signIn = (id: string, summary: string, body: JsonSchema): Operation => ({
    tags, operationId: `${c.name}_${id}`, summary, parameters: RECORD_QUERY,
    ...ruleMarks('authRule', c.authRule, viewer), security: open.security,
    requestBody: jsonBody(body),
    responses: { 200: jsonResponse('Signed in.', auth), 400: errorRef('BadRequest'), 401: errorRef('Unauthorized'), 403: errorRef('Forbidden') },
  });
  const paths: Record<string, PathItem> = {
    [`${base}/auth-methods`]: {
      get: {
        tags, operationId: `${c.name}_authMethods`, summary: 'The sign-in methods enabled', ...open,
        responses: { 200: jsonResponse('The methods.', { type: 'object', additionalProperties: true }) },
      },
    },
    [`${base}/auth-with-password`]: {
      post: signIn('authWithPassword', 'Sign in with an identity and a password', object({ identity: str, password: str, identityField: str }, ['identity', 'password'])),
    },
    [`${base}/auth-with-oauth2`]: {
      post: signIn('authWithOAuth2', 'Sign in with an OAuth2 provider\'s code', object({
        provider: str, code: str, codeVerifier: str, redirectURL: str, createData: { type: 'object', additionalProperties: true },
      }, ['provider', 'code', 'redirectURL'])),
    },
    [`${base}/request-otp`]: {
      post: {
        tags, operationId: `${c.name}_requestOtp`, summary: 'Email a one-time password', ...open,
        requestBody: jsonBody(object({ email: str }, ['email'])),
        responses: { 200: jsonResponse('The OTP id.', object({ otpId: str }, ['otpId'])), 400: errorRef('BadRequest'), 403: errorRef('Forbidden') },
      },
    },
    [`${base}/auth-with-otp`]: { post: signIn('authWithOtp', 'Sign in with a one-time password', object({ otpId: str, password: str }, ['otpId', 'password'])) },
    [`${base}/auth-refresh`]: {
      post: {
        tags, operationId: `${c.name}_authRefresh`, summary: 'A fresh token for the signed-in record', ...needsToken, parameters: RECORD_QUERY,
        responses: { 200: jsonResponse('Signed in.', auth), 401: errorRef('Unauthorized'), 403: errorRef('Forbidden') },
      },
    },
    [`${base}/impersonate/{id}`]: {
      post: {
        tags, operationId: `${c.name}_impersonate`, summary: 'A non-refreshable token for any record (superusers only)', ...needsToken,
        'x-plinth-rule': { name: 'superuser', access: 'superusers' },
        parameters: [pathParam('id', 'The record id.'), ...RECORD_QUERY],
        requestBody: jsonBody(object({ duration: { type: 'integer', minimum: 0 } }, []), false),
        responses: { 200: jsonResponse('Signed in as the record.', auth), 401: errorRef('Unauthorized'), 403: errorRef('Forbidden'), 404: errorRef('NotFound') },
      },
    },
  };
  for (const [path, summary, body] of FLOWS) {
    const id = path.replace(/-(\w)/g, (_m, ch: string) => ch.toUpperCase());
    paths[`${base}/${path}`] = {
      post: {
        tags, operationId: `${c.name}_${id}`, summary, ...(path === 'request-email-change' ? needsToken : open),
        requestBody: jsonBody(body),
        responses: { 204: NO_CONTENT, 400: errorRef('BadRequest'), 401: errorRef('Unauthorized') },
      },
    };
  }
  return paths;
}
