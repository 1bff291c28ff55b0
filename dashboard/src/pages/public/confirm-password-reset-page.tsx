/**
 * `#/auth/confirm-password-reset/{token}`, the password reset mail's link (docs/dashboard.md,
 * "Mailed links"): a new password, typed twice, sent with the token.
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

export default function ConfirmPasswordResetPage({ params }: PageProps) {
  const token = params.token ?? '';
  const { claims, unusable, errors, setErrors, busy, done, confirm } = useConfirm(token);
  const [password, setPassword] = useState('');
  const [passwordConfirm, setPasswordConfirm] = useState('');

  // A typed password answers the "differ" message until the next submit.
  const edit = (set: (value: string) => void) => (value: string): void => {
    set(value);
    if (errors.fields.passwordConfirm) setErrors({ ...errors, fields: { ...errors.fields, passwordConfirm: '' } });
  };

  const submit = async (): Promise<void> => {
    if (password !== passwordConfirm) {
      setErrors({ fields: { passwordConfirm: 'The two passwords differ.' } });
      return;
    }
    await confirm((collection) => pb.collection(collection).confirmPasswordReset(token, password, passwordConfirm, { requestKey: null }));
  };

  let content;
  if (unusable) {
    content = <LinkResult kind="error" title="Password not reset"><p>{unusable}</p></LinkResult>;
  } else if (done) {
    content = (
      <LinkResult kind="success" title="Password changed">
        <p>Your new password is set. You can sign in with it in the app.</p>
      </LinkResult>
    );
  } else {
    content = (
      <form class="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <h1>Reset your password</h1>
        {claims?.email ? <p class="link-note">For {claims.email}</p> : null}
        <TextInput label="New password" type="password" value={password} onValue={edit(setPassword)} autoComplete="new-password" required error={errors.fields.password} />
        <TextInput label="New password again" type="password" value={passwordConfirm} onValue={edit(setPasswordConfirm)} autoComplete="new-password" required error={errors.fields.passwordConfirm} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <Button type="submit" variant="primary" busy={busy}>Set new password</Button>
      </form>
    );
  }
  return <CenteredCard>{content}</CenteredCard>;
}
