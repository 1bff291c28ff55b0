/**
 * The one place errors become HTTP answers (docs/api.md §1.3): every error, whether an AppError,
 * one of Fastify's own or an unexpected throw, is rendered as `{status, message, data}`.
 */
import { noteRequestError } from './request-logs.js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, TooManyRequestsError, badRequest, internal, isAppError, notFound, tooLarge, type ErrorData } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import { ErrorBag } from '../errors/error-bag.js';
import { isRawBodyError } from '../errors/raw-body-error.js';
import { isServiceUnavailable, unavailable } from '../errors/service-unavailable.js';
import { UserCodeError } from '../errors/user-code-error.js';
import { INVALID_BODY_MESSAGE, UNSUPPORTED_CONTENT_TYPE_MESSAGE } from './body-parser.js';

/** The default message of each status the spec names (docs/api.md §1.3). */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Something went wrong while processing your request.',
  401: 'Missing or invalid authentication.',
  403: 'You are not allowed to perform this request.',
  404: "The requested resource wasn't found.",
  413: 'Request entity too large.',
  429: 'Too Many Requests.',
  500: 'Something went wrong while processing your request.',
};

/** Registers the error handler and the JSON 404 handler on the root instance. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    logError(request, error, appError);
    sendError(reply, appError);
  });
  // Fastify answers an unknown path, a wrong method and an unmatched trailing slash
  // alike through this handler: all three are a 404, never a 405 (docs/api.md §1.1).
  app.setNotFoundHandler((_request, reply) => {
    sendError(reply, notFound());
  });
}

/** Sends an AppError as the JSON error body of docs/api.md §1.3. */
export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  noteRequestError(reply.request, error);
  if (error instanceof TooManyRequestsError) reply.header('Retry-After', String(error.retryAfter));
  // The MFA challenge answers `401 {"mfaId"}` and nothing else (docs/api.md §1.3, §5.4).
  if (isRawBodyError(error)) return reply.code(error.status).type('application/json').send(error.body);
  return reply.code(error.status).type('application/json').send(error.toJSON());
}

/**
 * Maps anything thrown to the AppError a client may see. Fastify's client errors keep
 * their status with the spec's default message; anything else becomes a generic 500.
 */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  // PostgreSQL or Redis down or unreachable: the client may retry, nothing is its fault (issue 5).
  if (isServiceUnavailable(error)) return unavailable(error);
  const fastifyError = error as Partial<FastifyError> | null;
  if (fastifyError?.validation) {
    return badRequest(undefined, validationData(fastifyError.validation), error);
  }
  const code = fastifyError?.code;
  const status = fastifyError?.statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return tooLarge();
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    return badRequest(UNSUPPORTED_CONTENT_TYPE_MESSAGE, {}, error);
  }
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error instanceof SyntaxError && status === 400)) {
    return badRequest(INVALID_BODY_MESSAGE, {}, error);
  }
  // SECURITY: a library's client error keeps its status, but its own message is
  // replaced: only the spec's fixed texts ever reach the client.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(status, DEFAULT_MESSAGES[status] ?? DEFAULT_MESSAGES[400], {}, error);
  }
  return internal(error);
}

/** Turns Ajv errors from a Fastify schema into docs/api.md §1.3 field errors, nested by path. */
function validationData(errors: NonNullable<FastifyError['validation']>): ErrorData {
  const bag = new ErrorBag();
  for (const err of errors) {
    const path = err.instancePath.split('/').filter((s) => s !== '').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const missing = err.keyword === 'required' ? (err.params as { missingProperty?: unknown }).missingProperty : undefined;
    if (typeof missing === 'string') path.push(missing);
    if (path.length === 0) continue;
    bag.set(path, codeError(typeof missing === 'string' ? 'validation_required' : 'validation_invalid_value'));
  }
  return bag.data;
}

/**
 * Logs server faults and app code failures (a hook or custom route that threw) with the
 * request id and the stack; client errors only at debug level.
 */
export function logError(request: FastifyRequest, raw: unknown, appError: AppError): void {
  if (appError instanceof UserCodeError) {
    request.log.error({ err: appError.cause, reqId: request.id }, 'app code failed');
  } else if (appError.status === 503) {
    // An outage fails every request alike: one line each, without the stack.
    request.log.warn({ reqId: request.id, reason: String((appError.cause as Error | undefined)?.message ?? appError.cause) }, 'service unavailable');
  } else if (appError.status >= 500) {
    const cause = appError.cause ?? raw;
    request.log.error({ err: cause, reqId: request.id }, 'request failed');
  } else {
    request.log.debug({ err: raw, status: appError.status }, 'request rejected');
  }
}
