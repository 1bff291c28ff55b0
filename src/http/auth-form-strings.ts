/**
 * The string fields of the auth forms (docs/api.md §5): PocketBase binds them to Go strings, so
 * a JSON body that sends any other type fails to load. One check covers every auth route
 * and runs before the per-identity limits and the handler, so both read the same text.
 */
import type { FastifyInstance, FastifyRequest, preValidationHookHandler } from 'fastify';
import { AppError, type ErrorData } from '../errors/app-error.js';
import { formatFloat } from './body-parser.js';
import { collectionRoute, type RateLimitAction } from './rate-limit-labels.js';
import { codeError } from '../errors/code-error.js';

/** The 400 message of a body that does not bind to the form (PocketBase's). */
export const LOADING_MESSAGE = 'An error occurred while loading the submitted data.';

/** The body fields each auth action reads as text (its primary action names the route). */
export const AUTH_STRING_FIELDS: Readonly<Partial<Record<RateLimitAction, readonly string[]>>> = {
  authWithPassword: ['identity', 'password', 'identityField', 'mfaId'],
  authWithOTP: ['otpId', 'password', 'mfaId'],
  authWithOAuth2: ['provider', 'code', 'codeVerifier', 'redirectURL', 'redirectUrl', 'mfaId'],
  requestOTP: ['email'],
  requestPasswordReset: ['email'],
  requestVerification: ['email'],
  requestEmailChange: ['newEmail'],
  confirmPasswordReset: ['token', 'password', 'passwordConfirm'],
  confirmVerification: ['token'],
  confirmEmailChange: ['token', 'password'],
};

/**
 * Adds the check to every auth route of AUTH_STRING_FIELDS registered from now on (call it
 * before the routes): a field that is present and not null must be text, else `400` with
 * `data.<field>.code = "validation_not_a_string"`. Other routes pay nothing.
 *
 * SECURITY: the per-identity limits (rate-limit-auth.ts, a preHandler) key on the text of
 * `identity`, `email`, `otpId`, `token`; were a handler to coerce what they skip (a list,
 * `String(["victim"])` is `"victim"`), one body could reach an identity uncounted. After
 * this preValidation hook every field either side reads is that one text or absent.
 */
export function registerAuthFormStrings(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const fields = methods.map((method) => collectionRoute(method, route.url)).map((r) => (r ? AUTH_STRING_FIELDS[r.actions[0]] : undefined)).find((f) => f !== undefined);
    if (!fields) return;
    const check: preValidationHookHandler = (request, _reply, done) => {
      try {
        assertFormStrings(request, fields);
        done();
      } catch (err) {
        done(err as Error);
      }
    };
    const own = route.preValidation;
    route.preValidation = own === undefined ? [check] : [check, ...(Array.isArray(own) ? own : [own])];
  });
}

/**
 * Throws one 400 with a field error for each of `fields` that is present, not null and
 * not text. Form bodies (multipart, urlencoded) were typed by inference (docs/api.md
 * §1.1): a number or boolean there was sent as text, and is turned back into exactly it.
 */
export function assertFormStrings(request: FastifyRequest, fields: readonly string[]): void {
  const body = request.body;
  // Anything but an object is the handler's own 400.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const values = body as Record<string, unknown>;
  const form = isFormRequest(request);
  const errors: ErrorData = {};
  for (const key of fields) {
    if (!Object.hasOwn(values, key)) continue;
    const value = values[key];
    if (value === undefined || value === null || typeof value === 'string') continue;
    const text = form ? inferredText(value) : undefined;
    if (text === undefined) errors[key] = codeError('validation_not_a_string');
    else values[key] = text;
  }
  if (Object.keys(errors).length > 0) throw new AppError(400, LOADING_MESSAGE, errors);
}

function isFormRequest(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded');
}

/**
 * The text a form value was inferred from: inference makes a number only of text that
 * formatFloat writes back exactly, and a boolean only of `true`/`false`. A list (a key
 * sent twice) has no one text.
 */
function inferredText(value: unknown): string | undefined {
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}
