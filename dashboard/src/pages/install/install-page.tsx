/**
 * The first-run page `#/install/{token}` (docs/dashboard.md, "First run"): `plinth serve`
 * prints a link with a token of a temporary installer superuser. The form creates the real
 * first superuser with it (`POST /api/collections/_superusers/records`), then signs in as it.
 */
import { useState } from 'preact/hooks';
import { ClientResponseError } from 'pocketbase';
import { pb } from '../../pb.js';
import { navigate } from '../../router.js';
import { HOME_PATH, type PageProps } from '../../routes.js';
import { formErrors, type FormErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { CenteredCard } from '../../components/centered-card.js';
import { TextInput } from '../../components/text-input.js';
import { toast } from '../../toast.js';

export default function InstallPage({ params }: PageProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [passwordConfirm, setPasswordConfirm] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);

  const install = async (): Promise<void> => {
    setBusy(true);
    setErrors({ fields: {} });
    const superusers = pb.collection('_superusers');
    try {
      // The installer's token authorizes the one create; signing in then replaces it.
      pb.authStore.save(params.token ?? '', null);
      await superusers.create({ email, password, passwordConfirm }, { requestKey: null });
      await superusers.authWithPassword(email, password, { requestKey: null });
      toast('Superuser created. Welcome to Plinth.');
      navigate(HOME_PATH, { replace: true });
    } catch (err) {
      pb.authStore.clear();
      const found = formErrors(err);
      if (err instanceof ClientResponseError && (err.status === 401 || err.status === 403)) {
        found.form = 'This install link is not valid any more (it expires after 30 minutes). Restart plinth serve for a new one.';
      }
      setErrors(found);
    } finally {
      setBusy(false);
    }
  };

  return (
    <CenteredCard>
      <form class="form" onSubmit={(e) => { e.preventDefault(); void install(); }}>
        <h1>Create your first superuser</h1>
        <p>The superuser manages collections, records and settings from this dashboard.</p>
        <TextInput label="Email" type="email" value={email} onValue={setEmail} autoComplete="username" required error={errors.fields.email} />
        <TextInput label="Password" type="password" value={password} onValue={setPassword} autoComplete="new-password" required minLength={8} error={errors.fields.password} />
        <TextInput label="Password again" type="password" value={passwordConfirm} onValue={setPasswordConfirm} autoComplete="new-password" required error={errors.fields.passwordConfirm} />
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <Button type="submit" variant="primary" busy={busy}>Create and sign in</Button>
      </form>
    </CenteredCard>
  );
}
