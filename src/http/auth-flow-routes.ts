/**
 * The auth flows that mail a link or a code (docs/api.md §5.6, §5.8): verification,
 * password reset, email change, and OTP sign-in, on every auth collection.
 * Each runs its request hook (auth-request-hooks.ts) once the form checked out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthFlows, EmailChange } from '../core/auth/auth-flows.js';
import type { AuthService } from '../core/auth/auth-service.js';
import type { FlowStep } from '../core/auth/flow-step.js';
import { OTPS, type OtpRequest, type OtpService } from '../core/auth/otp-service.js';
import type { RecordService } from '../core/records/record-service.js';
import type { RecordValues } from '../core/records/record-store.js';
import { RecordModel } from '../core/records/record-model.js';
import { collectionTags } from '../core/records/record-hooks.js';
import type { AuthCollection } from '../core/collections/collection.js';
import { requestMfaId } from './auth-response.js';
import type { Hook } from '../tools/hook.js';
import {
  AuthRequestHooks, RecordAuthWithOTPRequestEvent, RecordCreateOTPRequestEvent, RecordEmailChangeRequestEvent, RecordFlowRequestEvent,
  answerHooked, authAnswer, jsonAnswer, sendAuthResponse, type AuthRequestEvent,
} from './auth-request-hooks.js';
import { recordBody } from './record-body-input.js';
import { requestInfo } from './request-auth.js';
import type { EventResponse } from './request-event.js';

type Params = { collection: string };

const BASE = '/api/collections/:collection';

/** What the auth flow routes need. */
export interface AuthFlowRoutesDeps {
  auth: AuthService;
  flows: AuthFlows;
  otp: OtpService;
  records: RecordService;
  hooks?: AuthRequestHooks;
}

/** A request/confirm flow: runs with a FlowStep of its details `D` (undefined: no hook bound) and answers 204. */
type Flow<D> = (c: AuthCollection, body: Record<string, unknown>, request: FastifyRequest, step?: FlowStep<D>) => Promise<void>;

/** Registers request/confirm verification, password reset, email change, request-otp and auth-with-otp. */
export function registerAuthFlowRoutes(app: FastifyInstance, deps: AuthFlowRoutesDeps): void {
  const { auth, flows, otp } = deps;
  const hooks = deps.hooks ?? new AuthRequestHooks();
  // Each request/confirm flow answers 204 with no body (docs/api.md §1.4, §5.8).
  registerFlowRoutes<RecordValues, RecordFlowRequestEvent>(app, auth, [
    ['request-verification', hooks.onRecordRequestVerificationRequest, (c, body, _r, step) => flows.requestVerification(c, body, step)],
    ['confirm-verification', hooks.onRecordConfirmVerificationRequest, (c, body, _r, step) => flows.confirmVerification(c, body, step)],
    ['request-password-reset', hooks.onRecordRequestPasswordResetRequest, (c, body, _r, step) => flows.requestPasswordReset(c, body, step)],
    ['confirm-password-reset', hooks.onRecordConfirmPasswordResetRequest, (c, body, _r, step) => flows.confirmPasswordReset(c, body, step)],
  ], (request, c, record) => new RecordFlowRequestEvent(hooks.appFor(), request, c, RecordModel.fromStored(c, record)), (e) => e.record.valuesRef());
  registerFlowRoutes<EmailChange, RecordEmailChangeRequestEvent>(app, auth, [
    ['request-email-change', hooks.onRecordRequestEmailChangeRequest, (c, body, request, step) => flows.requestEmailChange(c, body, requestInfo(request), step)],
    ['confirm-email-change', hooks.onRecordConfirmEmailChangeRequest, (c, body, _r, step) => flows.confirmEmailChange(c, body, step)],
  ],
  (request, c, d) => new RecordEmailChangeRequestEvent(hooks.appFor(), request, c, RecordModel.fromStored(c, d.record), d.newEmail),
  (e) => ({ record: e.record.valuesRef(), newEmail: e.newEmail }));

  app.post<{ Params: Params }>(`${BASE}/request-otp`, async function requestOtp(request, reply) {
    const c = auth.authCollection(request.params.collection);
    const hook = hooks.onRecordRequestOTPRequest;
    if (hook.isEmpty) return otp.request(c, recordBody(request));
    let answer: { otpId: string } | undefined;
    const hooked = new HookedStep(
      hook, reply,
      (d: OtpRequest) => new RecordCreateOTPRequestEvent(hooks.appFor(), request, c, d.record ? RecordModel.fromStored(c, d.record) : null, d.password),
      (e) => ({ record: e.record?.valuesRef() ?? null, password: e.password }),
      () => (answer?.otpId ? jsonAnswer(answer) : undefined),
    );
    answer = await otp.request(c, recordBody(request), hooked.step);
    return hooked.respond();
  });

  app.post<{ Params: Params }>(`${BASE}/auth-with-otp`, async function authWithOtp(request, reply) {
    const c = auth.authCollection(request.params.collection);
    const body = recordBody(request);
    const req = requestInfo(request, 'otp', body);
    const mfaId = requestMfaId(request, body);
    const match = await otp.matchOtp(c, body);
    const hook = hooks.onRecordAuthWithOTPRequest;
    if (hook.isEmpty) return sendAuthResponse(hooks, deps.records, request, reply, await otp.finishOtp(c, match, req, mfaId), 'otp');
    const otps = deps.records.collection(OTPS);
    const e = new RecordAuthWithOTPRequestEvent(hooks.appFor(), request, c, RecordModel.fromStored(c, match.record), RecordModel.fromStored(otps, match.otp));
    return answerHooked(hook, e, reply, async (ev) => {
      const result = await otp.finishOtp(c, { otp: match.otp, record: ev.record.valuesRef() }, req, mfaId);
      return authAnswer(hooks, deps.records, request, reply, result, 'otp');
    });
  });
}

/**
 * Registers each request/confirm flow of `list` at its path, answering 204: `event` makes
 * its hook's event from the details the flow found, `back` reads the (possibly changed)
 * details from it.
 */
function registerFlowRoutes<D, E extends AuthRequestEvent>(
  app: FastifyInstance, auth: AuthService, list: [string, Hook<E>, Flow<D>][],
  event: (request: FastifyRequest, c: AuthCollection, details: D) => E,
  back: (e: E) => D,
): void {
  for (const [path, hook, run] of list) {
    app.post<{ Params: Params }>(`${BASE}/${path}`, async (request, reply) => {
      const c = auth.authCollection(request.params.collection);
      const body = recordBody(request);
      if (hook.isEmpty) {
        await run(c, body, request);
        return reply.code(204).send();
      }
      const hooked = new HookedStep(hook, reply, (details: D) => event(request, c, details), back);
      await run(c, body, request, hooked.step);
      return hooked.respond();
    });
  }
}

/**
 * A FlowStep that runs `hook` around a flow's action: `build` makes the event from what
 * the flow found, `back` reads the (possibly changed) details from it. `respond` sends what
 * a handler set, else `done()` (the flow's own answer), else 204.
 */
class HookedStep<D, E extends AuthRequestEvent> {
  private event: E | undefined;

  constructor(
    private readonly hook: Hook<E>,
    private readonly reply: FastifyReply,
    private readonly build: (details: D) => E,
    private readonly back: (e: E) => D,
    private readonly done: () => EventResponse | undefined = () => undefined,
  ) {}

  readonly step: FlowStep<D> = async (details, action) => {
    const e = this.build(details);
    this.event = e;
    await this.hook.trigger(e, collectionTags(e.collection), (ev) => action(this.back(ev)));
  };

  respond(): FastifyReply {
    // The flow ended before its hook (an unknown address, a repeat within the window): 204 as always.
    if (!this.event) return this.reply.code(204).send();
    return this.event.respond(this.reply, this.done());
  }
}

