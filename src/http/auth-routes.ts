/**
 * The password sign-in part of the auth API (docs/api.md §5.1–5.3, §5.7): auth-methods,
 * auth-with-password, auth-refresh and impersonate, on every auth collection.
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../core/auth/auth-service.js';
import type { RecordService } from '../core/records/record-service.js';
import { AppError, type ErrorData } from '../errors/app-error.js';
import { requestInfo } from './request-auth.js';
import { authResponse, requestMfaId } from './auth-response.js';
import { legacyAuthProviders, oauth2AuthMethods } from '../core/auth/oauth2/oauth2-auth-methods.js';
import { codeError } from '../errors/code-error.js';
import { recordBody } from './record-body-input.js';
import { RecordModel } from '../core/records/record-model.js';
import { AuthRequestHooks, RecordAuthWithPasswordRequestEvent, RecordFlowRequestEvent, answerHooked, authAnswer, sendAuthResponse } from './auth-request-hooks.js';

type Params = { collection: string };

/** Registers the auth routes. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService, records: RecordService, hooks: AuthRequestHooks = new AuthRequestHooks()): void {
  const base = '/api/collections/:collection';

  app.get<{ Params: Params }>(`${base}/auth-methods`, async function authMethods(request) {
    const c = auth.authCollection(request.params.collection);
    const password = { enabled: c.passwordAuth.enabled, identityFields: c.passwordAuth.enabled ? c.passwordAuth.identityFields : [] };
    const oauth2 = oauth2AuthMethods(c);
    return {
      password,
      oauth2,
      mfa: { enabled: c.mfa.enabled, duration: c.mfa.enabled ? c.mfa.duration : 0 },
      otp: { enabled: c.otp.enabled, duration: c.otp.enabled ? c.otp.duration : 0 },
      authProviders: legacyAuthProviders(oauth2),
      usernamePassword: password.enabled && password.identityFields.includes('username'),
      emailPassword: password.enabled && password.identityFields.includes('email'),
    };
  });

  app.post<{ Params: Params }>(`${base}/auth-with-password`, async function authWithPassword(request, reply) {
    const c = auth.authCollection(request.params.collection);
    const body = recordBody(request);
    const errors: ErrorData = {};
    const identity = requiredString(body.identity, errors, 'identity');
    const password = requiredString(body.password, errors, 'password');
    const identityField = body.identityField === undefined || body.identityField === '' ? undefined : String(body.identityField);
    if (identityField !== undefined && !c.passwordAuth.identityFields.includes(identityField)) {
      errors.identityField = codeError('validation_in_invalid');
    }
    if (Object.keys(errors).length > 0) throw new AppError(400, 'An error occurred while validating the submitted data.', errors);
    const req = requestInfo(request, 'password', body);
    const mfaId = requestMfaId(request, body);
    const found = await auth.findPasswordIdentity(c, identity, identityField);
    const hook = hooks.onRecordAuthWithPasswordRequest;
    if (hook.isEmpty) {
      const result = await auth.passwordSignIn(c, found, password, req, mfaId);
      return sendAuthResponse(hooks, records, request, reply, result, 'password');
    }
    const record = found ? RecordModel.fromStored(c, found) : null;
    const e = new RecordAuthWithPasswordRequestEvent(hooks.appFor(), request, c, record, identity, identityField ?? '', password);
    return answerHooked(hook, e, reply, async (ev) => {
      const result = await auth.passwordSignIn(c, ev.record?.valuesRef(), ev.password, req, mfaId);
      return authAnswer(hooks, records, request, reply, result, 'password');
    });
  });

  app.post<{ Params: Params & { id: string } }>(`${base}/impersonate/:id`, async function impersonate(request, reply) {
    // As PocketBase's RequireSuperuserAuth middleware: the caller is checked before the collection.
    if (!request.auth) throw new AppError(401, 'The request requires valid record authorization token.');
    const req = requestInfo(request);
    if (!req.isSuperuser) throw new AppError(403, 'The authorized record is not allowed to perform this action.');
    const c = auth.authCollection(request.params.collection);
    const duration = recordBody(request).duration ?? 0;
    if (typeof duration !== 'number' || !Number.isInteger(duration)) throw new AppError(400, 'An error occurred while loading the submitted data.');
    if (duration < 0) {
      throw new AppError(400, 'An error occurred while validating the submitted data.', {
        duration: codeError('validation_min_greater_equal_than_required', { threshold: 0 }),
      });
    }
    const result = await auth.impersonate(c, request.params.id, duration, req);
    return sendAuthResponse(hooks, records, request, reply, result, '');
  });

  app.post<{ Params: Params }>(`${base}/auth-refresh`, async function authRefresh(request, reply) {
    const c = auth.authCollection(request.params.collection);
    const hook = hooks.onRecordAuthRefreshRequest;
    if (hook.isEmpty) return sendAuthResponse(hooks, records, request, reply, await auth.refresh(c, requestInfo(request)), '');
    // As PocketBase: the signed-in record of this collection is required before the hook runs.
    const own = request.auth;
    if (!own) throw new AppError(401, 'The request requires valid record authorization token.');
    if (own.collection.id !== c.id) throw new AppError(403, `The request requires auth record from ${c.name} collection.`);
    const e = new RecordFlowRequestEvent(hooks.appFor(), request, c, RecordModel.fromStored(c, own.record));
    return answerHooked(hook, e, reply, async (ev) => {
      const req = requestInfo(request);
      const result = await auth.refresh(c, { ...req, auth: { ...req.auth!, record: ev.record.valuesRef() } });
      return authAnswer(hooks, records, request, reply, result, '');
    });
  });
}


function requiredString(value: unknown, errors: ErrorData, key: string): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  if (text === '') errors[key] = codeError('validation_required');
  else if (text.length > 255) errors[key] = codeError('validation_length_too_long', { max: 255 });
  return text;
}
