/**
 * `#/auth/oauth2-redirect-success` and `#/auth/oauth2-redirect-failure`, the pages PocketBase's
 * dashboard shows at the end of the all-in-one OAuth2 flow (docs/dashboard.md, "Mailed links").
 * The success page closes its window when a script opened it (the SDK's popup), as PocketBase's does.
 */
import { useEffect } from 'preact/hooks';
import type { PageProps } from '../../routes.js';
import { currentPath } from '../../router.js';
import { CenteredCard } from '../../components/centered-card.js';
import { LinkResult } from './link-result.js';
import './public.css';

export default function OAuth2RedirectPage(_props: PageProps) {
  const success = currentPath().endsWith('-success');

  useEffect(() => {
    // A window the SDK opened may close itself; any other window ignores this.
    if (success && window.opener) window.close();
  }, [success]);

  return (
    <CenteredCard>
      {success ? (
        <LinkResult kind="success" title="Sign-in complete">
          <p>You can go back to the app if this window does not close by itself.</p>
        </LinkResult>
      ) : (
        <LinkResult kind="error" title="Sign-in failed">
          <p>The sign-in could not be completed. Close this window and go back to the app to try again.</p>
        </LinkResult>
      )}
    </CenteredCard>
  );
}
