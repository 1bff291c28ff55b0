/**
 * An auth collection's OAuth2 sign-in (docs/api.md §2.1 and §5.5): the switch, the providers
 * with their client id and secret, and the fields the provider's user fills.
 */
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { JsonInput } from './option-inputs.js';
import { AppleSecretForm } from './apple-secret-form.js';
import type { AuthOptionsProps } from './auth-methods-options.js';
import type { Json } from './schema-draft.js';

export function OAuth2Options({ draft, onPatch, errors }: AuthOptionsProps) {
  const oauth2 = (draft.oauth2 ?? {}) as Json;
  const providers = (oauth2.providers ?? []) as Json[];
  const mapped = (oauth2.mappedFields ?? {}) as Json;
  const [known, setKnown] = useState<Json[]>([]);
  const [pick, setPick] = useState('');
  useEffect(() => {
    pb.collections.getAllOAuth2Providers({ requestKey: 'oauth2-providers' }).then((list) => setKnown(list as unknown as Json[]), () => setKnown([]));
  }, []);
  const setProviders = (next: Json[]): void => onPatch('oauth2', { providers: next });
  const setProvider = (at: number, partial: Json): void => setProviders(providers.map((p, i) => (i === at ? { ...p, ...partial } : p)));
  const available = known.filter((k) => !providers.some((p) => p.name === k.name));
  return (
    <fieldset class="option-section">
      <legend>OAuth2</legend>
      <Checkbox label="Sign in with OAuth2" checked={oauth2.enabled === true} onChecked={(enabled) => onPatch('oauth2', { enabled })} error={errors['oauth2.enabled']} />
      {errors['oauth2.providers'] ? <p class="field-error" role="alert">{errors['oauth2.providers']}</p> : null}
      {providers.map((provider, at) => {
        const name = String(provider.name);
        const err = (key: string): string | undefined => errors[`oauth2.providers.${at}.${key}`];
        return (
          <fieldset key={name} class="option-section" aria-label={`Provider ${name}`}>
            <legend>{String(provider.displayName || name)}</legend>
            <div class="option-grid">
              <TextInput label={`${name} client id`} value={String(provider.clientId ?? '')} onValue={(clientId) => setProvider(at, { clientId })} error={err('clientId')} />
              <TextInput label={`${name} client secret`} type="password" autoComplete="off" value={String(provider.clientSecret ?? '')}
                onValue={(clientSecret) => setProvider(at, { clientSecret })} error={err('clientSecret')}
                help={provider.clientSecret ? undefined : 'Never shown again; leave empty to keep the stored one.'} />
              <TextInput label={`${name} display name`} value={String(provider.displayName ?? '')} onValue={(displayName) => setProvider(at, { displayName })} error={err('displayName')} />
              <SelectInput label={`${name} PKCE`} value={provider.pkce === null || provider.pkce === undefined ? '' : String(provider.pkce)} error={err('pkce')}
                options={[{ value: '', label: 'Provider default' }, { value: 'true', label: 'On' }, { value: 'false', label: 'Off' }]}
                onValue={(v) => setProvider(at, { pkce: v === '' ? null : v === 'true' })} />
              <TextInput label={`${name} auth URL`} type="url" value={String(provider.authURL ?? '')} onValue={(authURL) => setProvider(at, { authURL })} error={err('authURL')} />
              <TextInput label={`${name} token URL`} type="url" value={String(provider.tokenURL ?? '')} onValue={(tokenURL) => setProvider(at, { tokenURL })} error={err('tokenURL')} />
              <TextInput label={`${name} user info URL`} type="url" value={String(provider.userInfoURL ?? '')} onValue={(userInfoURL) => setProvider(at, { userInfoURL })} error={err('userInfoURL')} />
            </div>
            <JsonInput label={`${name} extra (JSON)`} value={provider.extra ?? {}} error={err('extra')} onValue={(extra) => setProvider(at, { extra })} />
            {name === 'apple' ? <AppleSecretForm clientId={String(provider.clientId ?? '')} onSecret={(clientSecret) => setProvider(at, { clientSecret })} /> : null}
            <Button variant="ghost" onClick={() => setProviders(providers.filter((_, i) => i !== at))}>Remove {name}</Button>
          </fieldset>
        );
      })}
      <div class="add-row">
        <SelectInput label="Provider to add" value={pick} onValue={setPick}
          options={[{ value: '', label: 'Pick a provider…' }, ...available.map((k) => ({ value: String(k.name), label: String(k.displayName ?? k.name) }))]} />
        <Button disabled={!pick} onClick={() => {
          const found = known.find((k) => k.name === pick);
          setProviders([...providers, { name: pick, clientId: '', clientSecret: '', displayName: found?.displayName ?? pick, pkce: null }]);
          setPick('');
        }}>Add provider</Button>
      </div>
      <fieldset class="option-section">
        <legend>Fields filled from the provider's user</legend>
        <div class="option-grid">
          {(['id', 'name', 'username', 'avatarURL'] as const).map((key) => (
            <TextInput key={key} label={`Map ${key} to field`} value={String(mapped[key] ?? '')} error={errors[`oauth2.mappedFields.${key}`]}
              onValue={(v) => onPatch('oauth2', { mappedFields: { ...mapped, [key]: v } })} />
          ))}
        </div>
      </fieldset>
    </fieldset>
  );
}
