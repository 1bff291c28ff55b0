/**
 * `#/auth/confirm-email-change/{token}`, the email change mail's link (docs/dashboard.md,
 * "Mailed links"): the account's password confirms the change to the new address.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { Button } from '../../components/button.js';
import { CenteredCard } from '../../components/centered-card.js';
import { TextInput } from '../../components/text-input.js';
import { LinkResult } from './link-result.js';
import { useConfirm } from './use-confirm.js';
import './public.css';

export default function ConfirmEmailChangePage({ params }: PageProps) {
  const token = params.token ?? '';
  const { claims, unusable, errors, busy, done, confirm } = useConfirm(token);
  const [password, setPassword] = useState('');

  const submit = (): Promise<void> => confirm((collection) => pb.collection(collection).confirmEmailChange(token, password, { requestKey: null }));

  let content;
  if (unusable) {
    content = <LinkResult kind="error" title="Email not changed"><p>{unusable}</p></LinkResult>;
  } else if (done) {
    content = (
      <LinkResult kind="success" title="Email changed">
        <p>{claims?.newEmail ? `Your account's email is now ${claims.newEmail}.` : "Your account's email is changed."} Sign in again in the app with it.</p>
      </LinkResult>
    );
  } else {
    content = (
      <form class="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h1>Confirm your new email</h1>
        {claims?.newEmail ? <p class="link-note">Change the account's email to {claims.newEmail}.</p> : null}
        <TextInput label="Your password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required error={errors.fields.password} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <Button type="submit" variant="primary" busy={busy}>Confirm new email</Button>
      </form>
    );
  }
  return <CenteredCard>{content}</CenteredCard>;
}
