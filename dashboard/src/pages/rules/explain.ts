/**
 * `POST /api/collections/{collection}/rules/explain` (docs/rules-explain.md) through the SDK:
 * whether the API would let a requester do one action, and the trace of the rule's parts.
 */
import { pb } from '../../pb.js';

/** The five API rules, then an auth collection's authRule (`auth`) and manageRule (`manage`). */
export const ACTIONS = ['list', 'view', 'create', 'update', 'delete', 'auth', 'manage'] as const;
export type RuleAction = (typeof ACTIONS)[number];

/** The sign-in methods an `auth` explanation takes as `@request.context`. */
export const SIGN_IN_METHODS = ['password', 'otp', 'oauth2'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** One evaluated part of the rule: its source form and result (null: it does not compile). */
export interface TraceStep {
  expr: string;
  result: boolean | null;
  error?: string;
}

export interface Explanation {
  allowed: boolean;
  rule: string | null;
  reason?: string;
  trace: TraceStep[];
  truncated?: boolean;
}

/** What is judged: the requester (null for a guest), the record, and the optional request parts. */
export interface ExplainInput {
  auth: { collection: string; id: string } | null;
  recordId?: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** For `auth`: the sign-in method (`@request.context`). */
  signIn?: SignInMethod;
}

export function explainRule(collection: string, action: RuleAction, input: ExplainInput): Promise<Explanation> {
  return pb.send<Explanation>(`/api/collections/${encodeURIComponent(collection)}/rules/explain`, {
    method: 'POST',
    body: { action, ...input },
    requestKey: null,
  });
}
