/**
 * Superuser sign in (docs/dashboard.md, "Sign in"): password, one-time code (OTP) and
 * multi-factor (MFA) as the `_superusers` collection's auth options allow, read from
 * `GET /api/collections/_superusers/auth-methods`.
 */
import { useEffect, useState } from 'preact/hooks';
import { ClientResponseError, type AuthMethodsList } from 'pocketbase';
import { pb, isSuperuserSignedIn } from '../../pb.js';
import { navigate } from '../../router.js';
import { HOME_PATH } from '../../routes.js';
import { formErrors, type FormErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { CenteredCard } from '../../components/centered-card.js';
import { Loading } from '../../components/loading.js';
import { TextInput } from '../../components/text-input.js';

/** Which form is on screen: the password, the email for a code, or the code; `mfaId` when the form is the second factor of MFA. */
type Step = { kind: 'password'; mfaId?: string } | { kind: 'otp-email' } | { kind: 'otp-code'; otpId: string; mfaId?: string };

const superusers = () => pb.collection('_superusers');

export default function LoginPage() {
  const [methods, setMethods] = useState<AuthMethodsList | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (isSuperuserSignedIn()) {
      navigate(HOME_PATH, { replace: true });
      return;
    }
    superusers().listAuthMethods({ requestKey: null }).then((list) => {
      setMethods(list);
      if (!list.password.enabled && list.otp.enabled) setStep({ kind: 'otp-email' });
    }, (err: unknown) => setLoadError(formErrors(err).form ?? 'The sign-in options could not be loaded.'));
  }, []);

  /** Runs one request of the flow with the busy state and the errors handled. */
  const attempt = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setErrors({ fields: {} });
    try {
      await action();
    } catch (err) {
      setErrors(formErrors(err));
    } finally {
      setBusy(false);
    }
  };

  /** MFA: the first factor succeeded with a 401 naming the MFA id; a code sent by email is the second. */
  const startSecondFactor = async (mfaId: string): Promise<void> => {
    const { otpId } = await superusers().requestOTP(email, { requestKey: null });
    setCode('');
    setStep({ kind: 'otp-code', otpId, mfaId });
  };

  const signInWithPassword = (mfaId: string | undefined) => attempt(async () => {
    try {
      await superusers().authWithPassword(email, password, mfaId ? { mfaId, requestKey: null } : { requestKey: null });
    } catch (err) {
      const nextMfaId = mfaIdOf(err);
      if (nextMfaId && !mfaId && methods?.otp.enabled) return startSecondFactor(nextMfaId);
      throw err;
    }
    navigate(HOME_PATH);
  });

  const requestCode = () => attempt(async () => {
    const { otpId } = await superusers().requestOTP(email, { requestKey: null });
    setCode('');
    setStep({ kind: 'otp-code', otpId });
  });

  const signInWithCode = (otpId: string, mfaId: string | undefined) => attempt(async () => {
    try {
      await superusers().authWithOTP(otpId, code, mfaId ? { mfaId, requestKey: null } : { requestKey: null });
    } catch (err) {
      const nextMfaId = mfaIdOf(err);
      // The code was the first factor: the password is the second.
      if (nextMfaId && !mfaId && methods?.password.enabled) {
        setStep({ kind: 'password', mfaId: nextMfaId });
        return;
      }
      throw err;
    }
    navigate(HOME_PATH);
  });

  if (loadError) return <CenteredCard><p class="form-error" role="alert">{loadError}</p></CenteredCard>;
  if (!methods) return <CenteredCard><Loading /></CenteredCard>;

  if (step.kind === 'otp-code') {
    return (
      <CenteredCard>
        <form class="form" onSubmit={(e) => { e.preventDefault(); void signInWithCode(step.otpId, step.mfaId); }}>
          <h1>{step.mfaId ? 'Second step' : 'Sign in with a code'}</h1>
          <p>We sent a one-time code to {email}.</p>
          <TextInput label="Code" value={code} onValue={setCode} autoComplete="one-time-code" required error={errors.fields.password} />
          {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
          <Button type="submit" variant="primary" busy={busy}>Sign in</Button>
          <Button variant="ghost" onClick={() => setStep({ kind: methods.password.enabled ? 'password' : 'otp-email' })}>Back</Button>
        </form>
      </CenteredCard>
    );
  }

  if (step.kind === 'otp-email') {
    return (
      <CenteredCard>
        <form class="form" onSubmit={(e) => { e.preventDefault(); void requestCode(); }}>
          <h1>Sign in with a code</h1>
          <TextInput label="Email" type="email" value={email} onValue={setEmail} autoComplete="username" required error={errors.fields.email} />
          {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
          <Button type="submit" variant="primary" busy={busy}>Send me a code</Button>
          {methods.password.enabled ? <Button variant="ghost" onClick={() => setStep({ kind: 'password' })}>Use my password</Button> : null}
        </form>
      </CenteredCard>
    );
  }

  if (!methods.password.enabled) {
    return <CenteredCard><p class="form-error" role="alert">No sign-in method is enabled for superusers: both password and one-time code are off in the _superusers collection's auth options.</p></CenteredCard>;
  }
  return (
    <CenteredCard>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void signInWithPassword(step.mfaId); }}>
        <h1>{step.mfaId ? 'Second step' : 'Superuser sign in'}</h1>
        {step.mfaId ? <p>Code accepted. Enter your password to finish signing in.</p> : null}
        <TextInput label="Email" type="email" value={email} onValue={setEmail} autoComplete="username" required error={errors.fields.identity} />
        <TextInput label="Password" type="password" value={password} onValue={setPassword} autoComplete="current-password" required error={errors.fields.password} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <Button type="submit" variant="primary" busy={busy}>Sign in</Button>
        {methods.otp.enabled && !step.mfaId ? <Button variant="ghost" onClick={() => setStep({ kind: 'otp-email' })}>Email me a one-time code</Button> : null}
      </form>
    </CenteredCard>
  );
}

/** The MFA id of a 401 that accepted the first factor and asks for a second, or undefined. */
function mfaIdOf(err: unknown): string | undefined {
  const mfaId = err instanceof ClientResponseError ? (err.response as { mfaId?: unknown } | undefined)?.mfaId : undefined;
  return typeof mfaId === 'string' && mfaId !== '' ? mfaId : undefined;
}
