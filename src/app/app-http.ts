/**
 * `app.http.send` (docs/hooks.md §4, PocketBase's `$http.send`): outbound HTTP
 * from app code with a timeout, through the node's guarded client — public
 * https addresses only, unless the node was built with a looser one (tests).
 */
import { BadRequestError } from '../errors/api-errors.js';
import { OutboundRequestError, type OutboundHttp } from '../tools/outbound-http.js';

/** What `app.http.send` takes. */
export interface HttpSendRequest {
  url: string;
  /** GET by default. */
  method?: string;
  headers?: Record<string, string>;
  /** Text or bytes as they are; any other value is sent as JSON (with its content type unless one is given). */
  body?: unknown;
  /** Seconds the whole exchange may take (default 30, as PocketBase). */
  timeout?: number;
  /** The largest answer accepted, in bytes (default 10 MiB). */
  maxBytes?: number;
}

/** What `app.http.send` resolves with. */
export interface HttpSendResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** The raw answer. */
  body: Buffer;
  /** The answer as UTF-8 text. */
  text: string;
  /** The answer parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** The outbound client of app code. */
export interface AppHttpClient {
  send(request: HttpSendRequest): Promise<HttpSendResponse>;
}

/** The client of app code over the node's guarded outbound HTTP. */
export function createAppHttpClient(outbound: OutboundHttp): AppHttpClient {
  return {
    async send(request) {
      if (!request || typeof request.url !== 'string') throw new TypeError('http.send needs a url');
      const headers: Record<string, string> = { ...request.headers };
      let body: string | Uint8Array | undefined;
      if (typeof request.body === 'string' || request.body instanceof Uint8Array) body = request.body;
      else if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }
      const timeout = request.timeout !== undefined && request.timeout > 0 ? request.timeout : 30;
      try {
        const reply = await outbound.request({ url: request.url, method: request.method, headers, body, timeoutMs: timeout * 1000, maxBytes: request.maxBytes ?? 10 * 1024 * 1024 });
        const text = reply.body.toString('utf8');
        return { ...reply, text, json: parseJson(text) };
      } catch (err) {
        // A refused or failed outbound request is the app's to handle; unhandled, it answers 400.
        if (err instanceof OutboundRequestError) throw new BadRequestError(`Outbound request failed: ${err.message}`);
        throw err;
      }
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
