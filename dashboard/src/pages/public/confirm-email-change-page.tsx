/**
 * `#/auth/confirm-email-change/{token}`, the email change mail's link (docs/dashboard.md,
 * "Mailed links"): the account's password confirms the change to the new address.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import type { FormErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { CenteredCard } from '../../components/centered-card.js';
import { TextInput } from '../../components/text-input.js';
import { LinkResult } from './link-result.js';
import { confirmErrors } from './confirm-error.js';
import { readMailedToken, unusableLinkMessage } from './mailed-token.js';
import './public.css';

export default function ConfirmEmailChangePage({ params }: PageProps) {
  const token = params.token ?? '';
  const claims = readMailedToken(token);
  const unusable = unusableLinkMessage(claims);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  const submit = async (): Promise<void> => {
    if (!claims) return;
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await pb.collection(claims.collectionId).confirmEmailChange(token, password, { requestKey: null });
      setDone(true);
    } catch (err) {
      setErrors(confirmErrors(err));
    } finally {
      setBusy(false);
    }
  };

  if (unusable) {
    return <CenteredCard><LinkResult kind="error" title="Email not changed"><p>{unusable}</p></LinkResult></CenteredCard>;
  }
  if (done) {
    return (
      <CenteredCard>
        <LinkResult kind="success" title="Email changed">
          <p>{claims?.newEmail ? `Your account's email is now ${claims.newEmail}.` : "Your account's email is changed."} Sign in again in the app with it.</p>
        </LinkResult>
      </CenteredCard>
    );
  }
  return (
    <CenteredCard>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h1>Confirm your new email</h1>
        {claims?.newEmail ? <p class="link-note">Change the account's email to {claims.newEmail}.</p> : null}
        <TextInput label="Your password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required error={errors.fields.password} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <Button type="submit" variant="primary" busy={busy}>Confirm new email</Button>
      </form>
    </CenteredCard>
  );
}
