/**
 * `#/auth/confirm-verification/{token}`, the verification mail's link (docs/dashboard.md,
 * "Mailed links"): confirms at once on opening, as PocketBase's page does, and says whether it worked.
 */
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { CenteredCard } from '../../components/centered-card.js';
import { Loading } from '../../components/loading.js';
import { LinkResult } from './link-result.js';
import { confirmErrors } from './confirm-error.js';
import { readMailedToken, unusableLinkMessage } from './mailed-token.js';
import './public.css';

type State = { step: 'busy' } | { step: 'done' } | { step: 'failed'; message: string };

export default function ConfirmVerificationPage({ params }: PageProps) {
  const token = params.token ?? '';
  const [state, setState] = useState<State>({ step: 'busy' });

  useEffect(() => {
    const claims = readMailedToken(token);
    const unusable = unusableLinkMessage(claims);
    if (unusable || !claims) {
      setState({ step: 'failed', message: unusable ?? '' });
      return;
    }
    let live = true;
    pb.collection(claims.collectionId).confirmVerification(token, { requestKey: null }).then(
      () => live && setState({ step: 'done' }),
      (err: unknown) => live && setState({ step: 'failed', message: confirmErrors(err).form ?? 'The email could not be verified.' }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <CenteredCard>
      {state.step === 'busy' ? <Loading label="Verifying your email…" /> : null}
      {state.step === 'done' ? (
        <LinkResult kind="success" title="Email verified">
          <p>Thank you. You can close this page and go back to the app.</p>
        </LinkResult>
      ) : null}
      {state.step === 'failed' ? (
        <LinkResult kind="error" title="Email not verified">
          <p>{state.message}</p>
        </LinkResult>
      ) : null}
    </CenteredCard>
  );
}
