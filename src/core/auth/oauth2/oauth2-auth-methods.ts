/**
 * The OAuth2 parts of `auth-methods` (docs/api.md §5.2) and of the provider list
 * `GET /api/collections/meta/oauth2-providers` (docs/api.md §2).
 */
import type { AuthCollection } from '../../collections/collection.js';
import { OAUTH2_PROVIDERS } from './oauth2-providers.js';
import { configuredProviders } from './oauth2-service.js';

/** One provider of auth-methods, with a fresh state and PKCE pair. */
export interface OAuth2ProviderInfo {
  name: string;
  displayName: string;
  state: string;
  authURL: string;
  /** Deprecated alias of authURL (v0.22 clients). */
  authUrl: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
  logo: string;
}

/** The `oauth2` block of auth-methods: every provider that initialises, or none when disabled. */
export function oauth2AuthMethods(c: AuthCollection): { enabled: boolean; providers: OAuth2ProviderInfo[] } {
  if (!c.oauth2.enabled) return { enabled: false, providers: [] };
  const providers = configuredProviders(c).map((p) => {
    const start = p.startAuthorization();
    return {
      name: p.name,
      displayName: p.displayName,
      state: start.state,
      authURL: start.authURL,
      authUrl: start.authURL,
      codeVerifier: start.codeVerifier,
      codeChallenge: start.codeChallenge,
      codeChallengeMethod: start.codeChallengeMethod,
      logo: p.logo,
    };
  });
  return { enabled: true, providers };
}

/** The legacy `authProviders` list (v0.22): the same providers without logos, or null when disabled. */
export function legacyAuthProviders(oauth2: { enabled: boolean; providers: OAuth2ProviderInfo[] }): Omit<OAuth2ProviderInfo, 'logo'>[] | null {
  if (!oauth2.enabled) return null;
  return oauth2.providers.map(({ logo: _logo, ...rest }) => rest);
}

/** Every provider Plinth supports, for the dashboard's provider picker. */
export function oauth2ProviderList(): { name: string; displayName: string; logo: string }[] {
  return OAUTH2_PROVIDERS.map((p) => ({ name: p.name, displayName: p.displayName, logo: p.logo }));
}
