/**
 * Logs every request (docs/operations.md §Logs): one access line on stdout at info
 * (pino JSON with the request id; `--logLevel=warn` silences it), and one entry in the
 * log store with PocketBase's request `data` — type, method, url (secrets redacted),
 * status, execTime (ms), auth, authId and IPs (per `settings.logs`), referer, userAgent,
 * the rate-limit rule that refused it, and the error of a 4xx/5xx. Both happen after
 * the answer is sent; the store write is buffered (LogWriter), never awaited here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppError } from '../errors/app-error.js';
import { LOG_LEVELS } from '../core/logs/log-store.js';
import type { LogWriter } from '../core/logs/log-writer.js';
import { clientIp } from './client-ip.js';
import { redactUrl } from './redact-url.js';
import { isQuietOnSuccess } from './request-log.js';
import { REQUEST_ID_HEADER } from './request-id.js';

/** The part of `settings.logs` a request entry reads. */
export interface RequestLogSettings {
  logIP: boolean;
  logAuthId: boolean;
}

/** What registerRequestLogs needs. */
export interface RequestLogsDeps {
  writer: LogWriter;
  settings: () => RequestLogSettings;
}

const errors = new WeakMap<object, AppError>();
const rateLimitRules = new WeakMap<object, string>();

/** Remembers the error `request` is answered with, for its log entry. */
export function noteRequestError(request: FastifyRequest, error: AppError): void {
  errors.set(request, error);
}

/** Remembers the rate-limit rule (its label) that counts `request`, logged if it refuses it. */
export function noteRateLimitRule(request: FastifyRequest, label: string): void {
  rateLimitRules.set(request, label);
}

/** Adds the request id header and the two request logs to every request. */
export function registerRequestLogs(app: FastifyInstance, deps: RequestLogsDeps): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    if (status < 400 && isQuietOnSuccess(request)) return done();
    const url = redactUrl(request.url);
    const execTime = reply.elapsedTime;
    request.log.info({ method: request.method, url, statusCode: status, responseTime: execTime }, 'request completed');
    const level = status >= 400 ? LOG_LEVELS.error : LOG_LEVELS.info;
    if (deps.writer.accepts(level)) deps.writer.write(level, `${request.method} ${decodedPath(url)}`, requestData(request, reply, url, deps.settings()));
    done();
  });
}

/** PocketBase's request log `data`. */
function requestData(request: FastifyRequest, reply: FastifyReply, url: string, settings: RequestLogSettings): Record<string, unknown> {
  const data: Record<string, unknown> = {
    type: 'request',
    execTime: reply.elapsedTime,
    url: cut(url, 3000),
    method: cut(request.method, 50),
    status: reply.statusCode,
    referer: cut(header(request, 'referer'), 2000),
    userAgent: cut(header(request, 'user-agent'), 2000),
    auth: request.auth ? request.auth.collection.name : 'guest',
    requestId: request.id,
  };
  if (request.auth && settings.logAuthId) data.authId = String(request.auth.record.id ?? '');
  if (settings.logIP) {
    data.userIP = clientIp(request);
    data.remoteIP = request.socket?.remoteAddress ?? '';
  }
  const error = errors.get(request);
  if (error) {
    data.error = error.message;
    data.details = error.status >= 500 && error.cause instanceof Error ? error.cause.message : error.data;
  }
  const rule = rateLimitRules.get(request);
  if (rule !== undefined && reply.statusCode === 429) data.rateLimit = rule;
  return data;
}

function header(request: FastifyRequest, name: string): string {
  const v = request.headers[name];
  return typeof v === 'string' ? v : '';
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** The URL percent-decoded for the message, as PocketBase writes it; as is when it does not decode. */
function decodedPath(url: string): string {
  if (!url.includes('%')) return url;
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}
