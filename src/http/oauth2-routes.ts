/**
 * The OAuth2 sign-in route (docs/api.md §5.5): `POST …/auth-with-oauth2` on every
 * auth collection. auth-methods lists the providers (auth-routes.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../core/auth/auth-service.js';
import type { OAuth2User } from '../core/auth/oauth2/oauth2-definition.js';
import { providerConfig, type OAuth2Outcome, type OAuth2Service, type OAuth2SignIn } from '../core/auth/oauth2/oauth2-service.js';
import type { AuthCollection } from '../core/collections/collection.js';
import type { RecordService } from '../core/records/record-service.js';
import { AppError, type ErrorData } from '../errors/app-error.js';
import { requestMfaId } from './auth-response.js';
import { RecordModel } from '../core/records/record-model.js';
import { AuthRequestHooks, RecordAuthWithOAuth2RequestEvent, answerHooked, authAnswer, sendAuthResponse } from './auth-request-hooks.js';
import { requestInfo } from './request-auth.js';
import { codeError } from '../errors/code-error.js';
import { recordBody } from './record-body-input.js';

type Params = { collection: string };

/** What the OAuth2 routes need. */
export interface OAuth2RoutesDeps {
  auth: AuthService;
  oauth2: OAuth2Service;
  records: RecordService;
  hooks?: AuthRequestHooks;
}

// NOTE: PocketBase answers both an undecodable and an invalid auth-with-oauth2 form with this message (docs/api.md §5).
const LOADING = 'An error occurred while loading the submitted data.';

/** Registers the OAuth2 routes. */
export function registerOAuth2Routes(app: FastifyInstance, deps: OAuth2RoutesDeps): void {
  const hooks = deps.hooks ?? new AuthRequestHooks();
  app.post<{ Params: Params }>('/api/collections/:collection/auth-with-oauth2', async function authWithOAuth2(request, reply) {
    const c = deps.auth.authCollection(request.params.collection);
    deps.oauth2.assertEnabled(c);
    const body = recordBody(request);
    const input = parseSignIn(c, body);
    const req = requestInfo(request, 'oauth2', body);
    const mfaId = requestMfaId(request, body);
    // authRule and MFA (docs/api.md §5.4) apply as for every sign-in method.
    const complete = async (outcome: OAuth2Outcome) => ({
      result: await deps.auth.completeAuth(c, outcome.record, 'oauth2', req, mfaId),
      meta: oauth2Meta(outcome.user, outcome.isNew),
    });
    const hook = hooks.onRecordAuthWithOAuth2Request;
    if (hook.isEmpty) {
      const { result, meta } = await complete(await deps.oauth2.signIn(c, input, req));
      return sendAuthResponse(hooks, deps.records, request, reply, result, 'oauth2', meta);
    }
    // The hook's chain answers (answerHooked sends the reply).
    await deps.oauth2.signIn(c, input, req, async (found, settle) => {
      const e = new RecordAuthWithOAuth2RequestEvent(hooks.appFor(), request, c, found.provider, found.user, found.createData);
      await answerHooked(hook, e, reply, async (ev) => {
        const outcome = await settle({ provider: found.provider, user: ev.oauth2User, createData: ev.createData });
        ev.record = RecordModel.fromStored(c, outcome.record);
        ev.isNewRecord = outcome.isNew;
        const { result, meta } = await complete(outcome);
        return authAnswer(hooks, deps.records, request, reply, result, 'oauth2', meta);
      });
    });
    return reply;
  });
}

/** The `meta` of an OAuth2 auth response (docs/api.md §5.5). */
export function oauth2Meta(user: OAuth2User, isNew: boolean): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    email: user.email,
    avatarURL: user.avatarURL,
    avatarUrl: user.avatarURL,
    accessToken: user.accessToken,
    refreshToken: user.refreshToken,
    expiry: user.expiry,
    rawUser: user.rawUser,
    isNew,
  };
}


function parseSignIn(c: AuthCollection, body: Record<string, unknown>): OAuth2SignIn {
  const provider = optionalString(body.provider);
  const code = optionalString(body.code);
  const codeVerifier = optionalString(body.codeVerifier);
  const redirectURL = optionalString(body.redirectURL) || optionalString(body.redirectUrl);
  const createData = body.createData ?? {};
  if (typeof createData !== 'object' || Array.isArray(createData)) throw new AppError(400, LOADING);

  const errors: ErrorData = {};
  const blank = () => codeError('validation_required');
  if (provider === '') errors.provider = blank();
  else if (provider.length > 100) errors.provider = codeError('validation_length_out_of_range', { min: 0, max: 100 });
  else if (!providerConfig(c, provider)) {
    errors.provider = codeError('validation_invalid_provider', { name: provider });
  }
  if (code === '') errors.code = blank();
  if (Object.keys(errors).length > 0) throw new AppError(400, LOADING, errors);
  return { provider, code, codeVerifier, redirectURL, createData: createData as Record<string, unknown> };
}

// A value of the wrong JSON type fails decoding, as Go's binding of the form does.
function optionalString(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new AppError(400, LOADING);
  return value;
}
