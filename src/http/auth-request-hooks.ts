/**
 * The auth request hooks (docs/hooks.md §2), as PocketBase's
 * `OnRecordAuth…Request` and `OnRecord…Request` of the auth flows: run per
 * request, tags = the auth collection, after the request's form was checked and
 * before the flow's action. A handler may change the event's fields (the record
 * found, the token, the password …), answer itself, or return without
 * `await e.next()`: the action does not happen and the request answers 204
 * unless the handler set an answer. With no handler bound the routes build no event.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthResult } from '../core/auth/auth-service.js';
import type { AuthCollection } from '../core/collections/collection.js';
import { collectionTags } from '../core/records/record-hooks.js';
import { RecordModel } from '../core/records/record-model.js';
import type { RecordService } from '../core/records/record-service.js';
import type { OAuth2User } from '../core/auth/oauth2/oauth2-definition.js';
import { Hook } from '../tools/hook.js';
import { authResponse } from './auth-response.js';
import { RequestEvent, type EventResponse } from './request-event.js';

/** An auth request of one auth collection. */
export class AuthRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly collection: AuthCollection) {
    super(app, req);
  }
}

/** An auth flow request about one record (request/confirm verification, password reset, email change). */
export class RecordFlowRequestEvent<A = unknown> extends AuthRequestEvent<A> {
  constructor(app: A, req: FastifyRequest, collection: AuthCollection, public record: RecordModel) {
    super(app, req, collection);
  }
}

/** The event of the email change requests: the record and its new address. */
export class RecordEmailChangeRequestEvent<A = unknown> extends RecordFlowRequestEvent<A> {
  constructor(app: A, req: FastifyRequest, collection: AuthCollection, record: RecordModel, public newEmail: string) {
    super(app, req, collection, record);
  }
}

/** The event of `onRecordAuthRequest`: every successful auth response; a handler may change what it holds. */
export class RecordAuthRequestEvent<A = unknown> extends AuthRequestEvent<A> {
  constructor(
    app: A, req: FastifyRequest, collection: AuthCollection,
    public record: RecordModel, public token: string, public meta: unknown, public authMethod: string,
  ) {
    super(app, req, collection);
  }
}

/** The event of `onRecordAuthWithPasswordRequest`: the record found for the identity, or null. */
export class RecordAuthWithPasswordRequestEvent<A = unknown> extends AuthRequestEvent<A> {
  constructor(
    app: A, req: FastifyRequest, collection: AuthCollection,
    public record: RecordModel | null, public identity: string, public identityField: string, public password: string,
  ) {
    super(app, req, collection);
  }
}

/** The event of `onRecordAuthWithOTPRequest`: the record and the `_otps` record of a correct code. */
export class RecordAuthWithOTPRequestEvent<A = unknown> extends AuthRequestEvent<A> {
  constructor(app: A, req: FastifyRequest, collection: AuthCollection, public record: RecordModel, readonly otp: RecordModel) {
    super(app, req, collection);
  }
}

/**
 * The event of `onRecordAuthWithOAuth2Request`: the provider's user, before the record is
 * found or created; `record` and `isNewRecord` are set once `e.next()` resolved.
 */
export class RecordAuthWithOAuth2RequestEvent<A = unknown> extends AuthRequestEvent<A> {
  record: RecordModel | null = null;
  isNewRecord = false;

  constructor(
    app: A, req: FastifyRequest, collection: AuthCollection,
    readonly providerName: string, public oauth2User: OAuth2User, public createData: Record<string, unknown>,
  ) {
    super(app, req, collection);
  }
}

/** The event of `onRecordRequestOTPRequest`: the record of the address (null when none) and the code to mail. */
export class RecordCreateOTPRequestEvent<A = unknown> extends AuthRequestEvent<A> {
  constructor(app: A, req: FastifyRequest, collection: AuthCollection, public record: RecordModel | null, public password: string) {
    super(app, req, collection);
  }
}

/** Every auth request hook, one Hook each; tags are auth collection names or ids. */
export class AuthRequestHooks<A = unknown> {
  readonly onRecordAuthRequest = new Hook<RecordAuthRequestEvent<A>>();
  readonly onRecordAuthWithPasswordRequest = new Hook<RecordAuthWithPasswordRequestEvent<A>>();
  readonly onRecordAuthWithOTPRequest = new Hook<RecordAuthWithOTPRequestEvent<A>>();
  readonly onRecordAuthWithOAuth2Request = new Hook<RecordAuthWithOAuth2RequestEvent<A>>();
  readonly onRecordAuthRefreshRequest = new Hook<RecordFlowRequestEvent<A>>();
  readonly onRecordRequestPasswordResetRequest = new Hook<RecordFlowRequestEvent<A>>();
  readonly onRecordConfirmPasswordResetRequest = new Hook<RecordFlowRequestEvent<A>>();
  readonly onRecordRequestVerificationRequest = new Hook<RecordFlowRequestEvent<A>>();
  readonly onRecordConfirmVerificationRequest = new Hook<RecordFlowRequestEvent<A>>();
  readonly onRecordRequestEmailChangeRequest = new Hook<RecordEmailChangeRequestEvent<A>>();
  readonly onRecordConfirmEmailChangeRequest = new Hook<RecordEmailChangeRequestEvent<A>>();
  readonly onRecordRequestOTPRequest = new Hook<RecordCreateOTPRequestEvent<A>>();

  /** The app a handler gets; set by the composition root. */
  appFor: () => A = () => undefined as A;
}

/**
 * Runs `hook` around `action` for one auth request and sends the answer: the one a
 * handler set, else the action's, else (a handler stopped the chain) 204.
 */
export async function answerHooked<E extends AuthRequestEvent<unknown>>(
  hook: Hook<E>, e: E, reply: FastifyReply, action: (e: E) => Promise<EventResponse | undefined>,
): Promise<FastifyReply> {
  await hook.trigger(e, collectionTags(e.collection), async (ev) => {
    const answer = await action(ev);
    ev.response ??= answer;
  });
  // A nested chain (the auth response inside a sign-in's) may have answered already.
  if (reply.sent) return reply;
  return e.respond(reply);
}

/** A JSON answer of `data` with status 200. */
export function jsonAnswer(data: unknown, status = 200): EventResponse {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify(data) };
}

/**
 * Answers a completed sign-in (docs/api.md §5.1) through `onRecordAuthRequest`: a handler may
 * change the record, token or meta, answer itself, or stop the answer (204). Returns the
 * body to send, or the reply when a handler's chain sent the answer.
 */
export async function sendAuthResponse<A>(
  hooks: AuthRequestHooks<A>, records: RecordService, request: FastifyRequest, reply: FastifyReply,
  result: AuthResult, authMethod: string, meta?: unknown,
): Promise<unknown> {
  const hook = hooks.onRecordAuthRequest;
  if (hook.isEmpty) {
    const body = await authResponse(request, records, result);
    return meta === undefined ? body : { ...body, meta };
  }
  const e = authRequestEvent(hooks, request, result, authMethod, meta);
  return answerHooked(hook, e, reply, (ev) => authEventAnswer(records, ev));
}

/** The event of `onRecordAuthRequest` for a completed sign-in. */
export function authRequestEvent<A>(
  hooks: AuthRequestHooks<A>, request: FastifyRequest, result: AuthResult, authMethod: string, meta: unknown,
): RecordAuthRequestEvent<A> {
  const c = result.collection;
  return new RecordAuthRequestEvent(hooks.appFor(), request, c, RecordModel.fromStored(c, result.record), result.token, meta, authMethod);
}

/** The action of `onRecordAuthRequest`: `{token, record, meta?}` as the event holds them after its handlers. */
export async function authEventAnswer(records: RecordService, e: RecordAuthRequestEvent<unknown>): Promise<EventResponse> {
  const body = await authResponse(e.request.raw, records, { collection: e.collection, record: e.record.valuesRef(), token: e.token });
  // What a handler hid or added on the record shows in the answer too.
  body.record = e.record.exportWith(body.record as Record<string, unknown>);
  return jsonAnswer(e.meta === undefined ? body : { ...body, meta: e.meta });
}

/** Inside a sign-in hook's action: the auth response, as an answer unless it was sent already. */
export async function authAnswer<A>(
  hooks: AuthRequestHooks<A>, records: RecordService, request: FastifyRequest, reply: FastifyReply,
  result: AuthResult, authMethod: string, meta?: unknown,
): Promise<EventResponse | undefined> {
  const out = await sendAuthResponse(hooks, records, request, reply, result, authMethod, meta);
  return reply.sent ? undefined : jsonAnswer(out);
}
