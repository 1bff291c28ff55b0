/**
 * A RequestEvent is what a custom route handler and a request hook receive
 * (docs/hooks.md §3): the request, who sent it, and methods that set the
 * answer. The answer is recorded, not sent: the route that runs the handler or
 * hook sends it once the chain finished (`respond`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { badRequest } from '../errors/app-error.js';
import { RecordModel } from '../core/records/record-model.js';
import type { RequestContext, RequestInfo } from '../core/rules/request-info.js';
import type { HookEvent } from '../tools/hook.js';
import { clientIp } from './client-ip.js';
import { firstValues, isSuperuser, requestInfo } from './request-auth.js';

/** The request as a handler reads it. */
export interface EventRequest {
  readonly method: string;
  /** The path and query string as sent. */
  readonly url: string;
  readonly headers: FastifyRequest['headers'];
  /** The first value of each query parameter. */
  readonly query: Record<string, string>;
  /** The value of path parameter `{name}` ('' when the route has none of that name). */
  pathValue(name: string): string;
  /** The underlying Fastify request, for what the event does not cover. */
  readonly raw: FastifyRequest;
}

/** A recorded answer. */
export interface EventResponse {
  status: number;
  type?: string;
  body?: unknown;
  /** The value a `json` answer was made from (a batch sub-request lists it as is). */
  data?: unknown;
  headers?: Record<string, string>;
}

/**
 * What a sub-request of `POST /api/batch` shows in place of the HTTP request's own
 * method, url, headers, query, path parameters and body; auth stays the outer request's.
 */
export interface SubRequest {
  method: string;
  url: string;
  headers: FastifyRequest['headers'];
  query: Record<string, string>;
  params: Record<string, string>;
  body: Record<string, unknown>;
  /** The request info rules see for the sub-request. */
  info: RequestInfo;
}

/** Options of a RequestEvent beyond its request. */
export interface RequestEventOptions {
  /** The name of the route's trailing `{name...}` parameter (Fastify's `*`). */
  wildcard?: string;
  /** A batch sub-request the event stands for. */
  sub?: SubRequest;
}

/** A RequestEvent of app `A`. */
export class RequestEvent<A = unknown> implements HookEvent {
  /** Set by the hook chain; a route handler's own event resolves at once. */
  next: () => Promise<void> = () => Promise.resolve();
  /** The answer a handler set, if any. */
  response: EventResponse | undefined;
  readonly request: EventRequest;
  private authModel: RecordModel | null | undefined;

  private readonly sub: SubRequest | undefined;

  constructor(readonly app: A, private readonly req: FastifyRequest, private readonly context: RequestContext = 'default', options: RequestEventOptions = {}) {
    const sub = options.sub;
    this.sub = sub;
    const params = (sub?.params ?? req.params ?? {}) as Record<string, string | undefined>;
    const wildcard = options.wildcard ?? 'path';
    this.request = {
      method: sub?.method ?? req.method,
      url: sub?.url ?? req.url,
      headers: sub?.headers ?? req.headers,
      query: sub?.query ?? firstValues(req.query),
      pathValue: (name) => (Object.hasOwn(params, name) ? params[name] : name === wildcard ? params['*'] : undefined) ?? '',
      raw: req,
    };
  }

  /** The signed-in record, or null for a guest. */
  get auth(): RecordModel | null {
    if (this.authModel === undefined) {
      const info = this.req.auth;
      this.authModel = info ? RecordModel.fromStored(info.collection, info.record) : null;
    }
    return this.authModel;
  }

  /** Whether the request is signed in as a superuser. */
  hasSuperuserAuth(): boolean {
    return isSuperuser(this.req);
  }

  /** The request as rules see it (`@request.*`): auth, body, query, headers, method, context. */
  requestInfo(): RequestInfo {
    return this.sub?.info ?? requestInfo(this.req, this.context, bodyObject(this.req.body));
  }

  /** The client's IP address (after trusted proxies). */
  realIP(): string {
    return clientIp(this.req);
  }

  /** The parsed request body (JSON, or the fields of a form); 400 when it is not an object. */
  async bindBody<T = Record<string, unknown>>(): Promise<T> {
    const body = this.sub ? this.sub.body : this.req.body;
    if (body === undefined || body === null) return {} as T;
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object.');
    return body as T;
  }

  /** Answers `data` as JSON. */
  json(status: number, data: unknown): void {
    this.response = { status, type: 'application/json; charset=utf-8', body: JSON.stringify(data), data };
  }

  /** Answers plain text. */
  string(status: number, text: string): void {
    this.response = { status, type: 'text/plain; charset=utf-8', body: text };
  }

  /** Answers HTML. */
  html(status: number, html: string): void {
    this.response = { status, type: 'text/html; charset=utf-8', body: html };
  }

  /** Answers with no body (204 unless told). */
  noContent(status = 204): void {
    this.response = { status };
  }

  /** Redirects to `url` (a 3xx status). */
  redirect(status: number, url: string): void {
    this.response = { status, headers: { location: url } };
  }

  /** Answers bytes with a content type. */
  blob(status: number, contentType: string, data: Uint8Array): void {
    this.response = { status, type: contentType, body: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Answers a stream with a content type. */
  stream(status: number, contentType: string, body: Readable): void {
    this.response = { status, type: contentType, body };
  }

  /** Sets a response header (sent with whatever answer follows). */
  setHeader(name: string, value: string): void {
    this.pendingHeaders[name.toLowerCase()] = value;
  }

  private readonly pendingHeaders: Record<string, string> = {};

  /**
   * Takes over the answer and headers set on `other`, an event run inside this one's
   * request (the `onRecordAuthRequest` chain of `app.apis.recordAuthResponse`).
   */
  adopt(other: RequestEvent<unknown>): void {
    Object.assign(this.pendingHeaders, other.pendingHeaders);
    if (other.response) this.response = other.response;
  }

  /** Puts the headers handlers set on `reply`, for an answer the route sends itself. */
  writeHeaders(reply: FastifyReply): FastifyReply {
    return reply.headers(this.pendingHeaders);
  }

  /**
   * Sends the recorded answer, or `fallback` (status, body) when no handler set one.
   * Returns the reply for Fastify's async handlers.
   */
  respond(reply: FastifyReply, fallback?: EventResponse): FastifyReply {
    const r = this.response ?? fallback ?? { status: 204 };
    reply.headers(this.pendingHeaders);
    if (r.headers) reply.headers(r.headers);
    if (r.type) reply.type(r.type);
    reply.code(r.status);
    return r.body === undefined ? reply.send() : reply.send(r.body);
  }
}

function bodyObject(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
