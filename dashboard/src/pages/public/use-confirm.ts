/**
 * The state of a mailed-link form (password reset, email change): the token's claims,
 * whether the link can be used at all, and one confirmation request at a time.
 */
import { useState } from 'preact/hooks';
import type { FormErrors } from '../../field-errors.js';
import { confirmErrors } from './confirm-error.js';
import { readMailedToken, unusableLinkMessage, type MailedToken } from './mailed-token.js';

export interface ConfirmState {
  claims: MailedToken | null;
  /** Why the link cannot be used, or undefined. */
  unusable?: string;
  errors: FormErrors;
  setErrors: (errors: FormErrors) => void;
  busy: boolean;
  done: boolean;
  /** Sends the confirmation for the token's collection; a refusal lands in `errors`. */
  confirm: (send: (collectionId: string) => Promise<unknown>) => Promise<void>;
}

export function useConfirm(token: string): ConfirmState {
  const claims = readMailedToken(token);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const confirm = async (send: (collectionId: string) => Promise<unknown>): Promise<void> => {
    if (!claims) return;
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await send(claims.collectionId);
      setDone(true);
    } catch (err) {
      setErrors(confirmErrors(err));
    } finally {
      setBusy(false);
    }
  };

  return { claims, unusable: unusableLinkMessage(claims), errors, setErrors, busy, done, confirm };
}
