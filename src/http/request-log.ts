/**
 * Fastify's request log (the access log, on at debug level) with PocketBase's
 * `skipSuccessActivityLog`: a request marked by that middleware is logged only when
 * it fails.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

const quietOnSuccess = new WeakSet<object>();

/** Logs `request` only if it fails (answers 400 or more, or errors). */
export function skipSuccessLog(request: FastifyRequest): void {
  quietOnSuccess.add(request);
}

/** The LogController that leaves out successful requests marked by `skipSuccessLog`. */
export class RequestLogController extends LogController {
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (!error && reply.statusCode < 400 && quietOnSuccess.has(request)) return;
    super.requestCompleted(error, request, reply, metadata);
  }
}
