/**
 * The node-wide budget of request-body bytes held in memory at once (issue 10): every
 * parser buffers what it reads (JSON text, form values, uploaded files), so without a
 * bound, many concurrent large bodies exhaust the process's memory.
 */
import { Transform, type Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tooLarge, type AppError } from '../errors/app-error.js';
import { unavailable } from '../errors/service-unavailable.js';
import { dropUnreadBody } from './drop-unread-body.js';

/** The default budget: 256 MiB of bodies in flight per node (`--bodyMemoryLimit`). */
export const DEFAULT_BODY_MEMORY_LIMIT = 256 << 20;

/**
 * Bodies declared this small are charged their declared length up front, with no counting
 * stream; larger and chunked ones are charged byte by byte as they arrive, so a client that
 * declares a large body and sends it slowly holds only what it sent.
 */
const CHARGE_UP_FRONT_BYTES = 64 << 10;

/** A BodyBudget counts the body bytes held by requests in flight on one node. */
export class BodyBudget {
  private used = 0;
  /** Per request in flight, how to hand back bytes it no longer holds (see release). */
  private readonly releasers = new WeakMap<FastifyRequest, (bytes: number) => void>();

  constructor(private readonly limit: number) {}

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /**
   * Charges `bytes` to a request that already holds `own`; false when that would pass the
   * limit while other requests hold bytes too. A body alone is never refused here (its own
   * limit bounds it), so one upload larger than the budget still goes through.
   */
  charge(bytes: number, own: number): boolean {
    if (this.used + bytes > this.limit && this.used > own) return false;
    this.used += bytes;
    return true;
  }

  /** Returns bytes charged earlier. */
  refund(bytes: number): void {
    this.used -= bytes;
  }

  /**
   * Hands back `bytes` of a request's body that it no longer holds in memory (upload bytes
   * written to a temporary file), never more than it was charged.
   */
  release(request: FastifyRequest, bytes: number): void {
    this.releasers.get(request)?.(bytes);
  }

  /**
   * Charges a request's body to the budget, refunding it once the response is over (sent
   * or aborted), and returns the stream to read the body from; throws the 503 when it does
   * not fit. `declared` is the Content-Length (undefined when chunked); `limit`, when
   * given, is enforced on the counted bytes too (413 beyond).
   */
  admit(request: FastifyRequest, reply: FastifyReply, payload: Readable, declared: number | undefined, limit: number | undefined): Readable {
    let own = 0;
    if (declared !== undefined && declared <= CHARGE_UP_FRONT_BYTES) {
      if (!this.charge(declared, 0)) throw refusal(request, reply);
      own = declared;
      reply.raw.once('close', () => this.refund(own));
      // Node's parser delivers exactly the declared length, so nothing needs counting.
      return payload;
    }
    // Refused at once when it cannot fit, before a byte of it is read.
    if (declared !== undefined && this.used + declared > this.limit && this.used > 0) throw refusal(request, reply);
    reply.raw.once('close', () => this.refund(own));
    this.releasers.set(request, (bytes) => {
      const back = Math.min(bytes, own);
      own -= back;
      this.refund(back);
    });
    let seen = 0;
    const counted = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        seen += chunk.length;
        if (limit !== undefined && seen > limit) return callback(tooLarge());
        if (!this.charge(chunk.length, own)) return callback(refusal(request, reply));
        own += chunk.length;
        callback(null, chunk);
      },
    });
    // NOTE: not stream.pipeline, which would destroy the socket on an error before the
    // answer is sent; a failing source (client abort) still ends the counted stream.
    payload.on('error', (err) => counted.destroy(err));
    return payload.pipe(counted);
  }
}

/** The 503 of a body that does not fit; the rest of the body is dropped unread. */
function refusal(request: FastifyRequest, reply: FastifyReply): AppError {
  dropUnreadBody(request, reply);
  return unavailable('request bodies in memory reached --bodyMemoryLimit');
}
