/**
 * Subscriptions set through another node than the one holding the stream
 * (docs/api.md §6.5): behind a load balancer without sticky sessions, `POST
 * /api/realtime` may reach any node. That node asks the others over the Bus; the node
 * holding the client applies the call exactly as a local one and replies with the outcome.
 *
 * SECURITY: the caller's token is verified by the node that received it, and only the
 * identity it proved travels (collection id, record id, the record's tokenKey at that
 * moment), never the token itself, so no bearer token sits in Redis. The holding node
 * loads that record afresh and refuses the call when it is gone or its tokenKey changed
 * since (the token was revoked meanwhile). The Bus is trusted as it is for record events
 * and cluster sync. The client id stays the capability, as in PocketBase, together with
 * the IP check of a local call.
 */
import { AppError, isAppError, notFound, type ErrorData } from '../../errors/app-error.js';
import type { AuthInfo } from '../rules/request-info.js';
import type { Bus } from './bus.js';
import { BusRequests } from './bus-requests.js';

/** The Bus channel of forwarded subscribe calls. */
const SUBSCRIBE_CHANNEL = 'plinth:realtime-subscribe';

/** How long the receiving node waits for the holding node's reply before answering 404. */
export const SUBSCRIBE_REPLY_TIMEOUT_MS = 1_500;

/** The identity a verified token proved, as it travels between nodes. */
export interface ForwardedAuth {
  collectionId: string;
  recordId: string;
  tokenKey: string;
}

/** A forwarded subscribe call. */
interface SubscribeRequest {
  clientId: string;
  subscriptions: string[];
  auth: ForwardedAuth | null;
  ip: string;
}

/** The outcome the holding node replies: 204, or the error a local call would have thrown. */
interface SubscribeAnswer {
  status: number;
  message?: string;
  data?: ErrorData;
}

/** What the forwarding needs from the hub and the auth service. */
export interface RemoteSubscriptionsDeps {
  bus: Bus;
  /** Whether this node holds the client. */
  holds(clientId: string): boolean;
  /** Applies a call locally (RealtimeHub.setSubscriptions). */
  apply(clientId: string, subscriptions: readonly string[], auth: AuthInfo | null, ip: string): void;
  /** The signed-in record of a forwarded identity, or null when it is gone or its tokenKey changed. */
  findAuth(auth: ForwardedAuth): Promise<AuthInfo | null>;
  onError(err: unknown): void;
}

/** RemoteSubscriptions forwards subscribe calls to the node that holds the client, and applies those of others. */
export class RemoteSubscriptions {
  private readonly requests: BusRequests<SubscribeRequest, SubscribeAnswer>;

  constructor(private readonly deps: RemoteSubscriptionsDeps) {
    this.requests = new BusRequests(deps.bus, SUBSCRIBE_CHANNEL, (request) => this.applyForwarded(request), deps.onError);
  }

  start(): Promise<void> {
    return this.requests.start();
  }

  stop(): Promise<void> {
    return this.requests.stop();
  }

  /** Sets the subscriptions of a client another node holds; throws what that node answered, or 404 when none holds it. */
  async forward(clientId: string, subscriptions: readonly string[], auth: AuthInfo | null, ip: string): Promise<void> {
    const forwarded: ForwardedAuth | null = auth
      ? { collectionId: auth.collection.id, recordId: String(auth.record.id), tokenKey: String(auth.record.tokenKey ?? '') }
      : null;
    const answer = await this.requests.ask({ clientId, subscriptions: [...subscriptions], auth: forwarded, ip }, SUBSCRIBE_REPLY_TIMEOUT_MS);
    if (answer === undefined) throw notFound('Missing or invalid client id.');
    if (answer.status !== 204) throw new AppError(answer.status, String(answer.message ?? ''), answer.data ?? {});
  }

  /** Applies a call forwarded by another node when this node holds the client; stays silent otherwise. */
  private async applyForwarded(request: SubscribeRequest): Promise<SubscribeAnswer | undefined> {
    if (typeof request?.clientId !== 'string' || !this.deps.holds(request.clientId)) return undefined;
    if (!Array.isArray(request.subscriptions) || !request.subscriptions.every((s) => typeof s === 'string')) return undefined;
    try {
      const auth = request.auth ? await this.deps.findAuth(request.auth) : null;
      if (request.auth && !auth) return { status: 401, message: 'The request requires valid record authorization token.', data: {} };
      // Checked again: the stream may have closed while the record loaded.
      if (!this.deps.holds(request.clientId)) return undefined;
      this.deps.apply(request.clientId, request.subscriptions, auth, String(request.ip));
      return { status: 204 };
    } catch (err) {
      if (isAppError(err)) return { status: err.status, message: err.message, data: err.data };
      throw err;
    }
  }
}
