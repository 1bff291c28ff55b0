/**
 * The rule explainer endpoint (docs/rules-explain.md), superusers only:
 * `POST /api/collections/{collection}/rules/explain`.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound, type ErrorData } from '../errors/app-error.js';
import { codeError } from '../errors/code-error.js';
import type { Schema } from '../core/collections/schema.js';
import { EXPLAIN_ACTIONS, SIGN_IN_METHODS, type ExplainAction, type ExplainInput, type RuleExplainer, type SignInMethod } from '../core/records/rule-explain.js';
import { assertSuperuser } from './request-auth.js';
import { recordBody } from './record-body-input.js';

/** The most `query` or `headers` entries one explanation takes (a request carries few). */
const MAX_REQUEST_VALUES = 100;
/** The longest id (record or auth record) accepted; ids are 15 characters by default. */
const MAX_ID_LENGTH = 255;

/** What the explainer route needs. */
export interface RulesExplainRoutesDeps {
  schema: Schema;
  explainer: RuleExplainer;
}

/** Registers `POST /api/collections/:collection/rules/explain`. */
export async function registerRulesExplainRoutes(app: FastifyInstance, deps: RulesExplainRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => assertSuperuser(request));
    scope.post<{ Params: { collection: string } }>('/api/collections/:collection/rules/explain', async function explainRule(request) {
      const c = deps.schema.find(request.params.collection);
      if (!c) throw notFound('Missing collection context.');
      return deps.explainer.explain(c, parseExplainInput(recordBody(request)));
    });
  });
}

/** The explain body, checked field by field; a 400 with per-field errors when any is malformed. */
export function parseExplainInput(body: Record<string, unknown>): ExplainInput {
  const errors: ErrorData = {};
  const action = body.action;
  if (typeof action !== 'string' || !(EXPLAIN_ACTIONS as readonly string[]).includes(action)) {
    errors.action = codeError('validation_in_invalid', undefined, `Must be one of ${EXPLAIN_ACTIONS.join(', ')}.`);
  }
  const auth = parseAuth(body.auth, errors);
  const signIn = body.signIn === undefined || body.signIn === null || body.signIn === '' ? undefined : body.signIn;
  if (signIn !== undefined && (typeof signIn !== 'string' || !(SIGN_IN_METHODS as readonly string[]).includes(signIn))) {
    errors.signIn = codeError('validation_in_invalid', undefined, `Must be one of ${SIGN_IN_METHODS.join(', ')}.`);
  }
  const recordId = body.recordId === undefined || body.recordId === null || body.recordId === '' ? undefined : body.recordId;
  if (recordId !== undefined && !isId(recordId)) errors.recordId = codeError('validation_invalid_value', undefined, 'Must be a record id.');
  const input = {
    action: action as ExplainAction,
    auth,
    recordId: recordId as string | undefined,
    body: objectOf(body.body, 'body', errors, () => true) ?? {},
    query: objectOf(body.query, 'query', errors, isShortText) as Record<string, string> ?? {},
    headers: objectOf(body.headers, 'headers', errors, isShortText) as Record<string, string> ?? {},
    ...(signIn === undefined ? {} : { signIn: signIn as SignInMethod }),
  };
  if (Object.keys(errors).length > 0) throw badRequest('Invalid rule explain request.', errors);
  return input;
}

function parseAuth(value: unknown, errors: ErrorData): ExplainInput['auth'] {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value) || !isId(value.collection) || !isId(value.id)) {
    errors.auth = codeError('validation_invalid_value', undefined, 'Must be null or {collection, id}.');
    return null;
  }
  return { collection: value.collection, id: value.id };
}

/** An optional object whose values pass `valid`; records an error under `key` otherwise. */
function objectOf(value: unknown, key: string, errors: ErrorData, valid: (v: unknown) => boolean): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  const entries = isPlainObject(value) ? Object.values(value) : [];
  if (!isPlainObject(value) || entries.length > MAX_REQUEST_VALUES || !entries.every(valid)) {
    const what = key === 'body' ? 'a JSON object' : `an object of at most ${MAX_REQUEST_VALUES} text values`;
    errors[key] = codeError('validation_invalid_value', undefined, `Must be ${what}.`);
    return undefined;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value !== '' && value.length <= MAX_ID_LENGTH;
}

function isShortText(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 4096;
}
