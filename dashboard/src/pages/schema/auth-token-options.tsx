/**
 * An auth collection's token options (docs/api.md §2.1): each token's duration, and a new secret
 * to set (secrets are never returned; setting one signs out every holder of that kind of token).
 */
import { TextInput } from '../../components/text-input.js';
import { NumberInput } from './option-inputs.js';
import type { AuthOptionsProps } from './auth-methods-options.js';
import type { Json } from './schema-draft.js';

const TOKENS = [
  ['authToken', 'Auth token'],
  ['verificationToken', 'Verification token'],
  ['passwordResetToken', 'Password reset token'],
  ['emailChangeToken', 'Email change token'],
  ['fileToken', 'Protected file token'],
] as const;

/** A random secret of 50 letters and digits, from the browser's CSPRNG. */
export function randomSecret(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(50));
  // NOTE: 256 % 62 skews a little toward the first letters; negligible for a 50-character secret.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function AuthTokenOptions({ draft, onPatch, errors }: AuthOptionsProps) {
  return (
    <>
      {TOKENS.map(([key, title]) => {
        const token = (draft[key] ?? {}) as Json;
        return (
          <fieldset key={key} class="option-section">
            <legend>{title}</legend>
            <div class="option-grid">
              <NumberInput label={`${title} duration (seconds)`} value={token.duration as number} onValue={(duration) => onPatch(key, { duration })} error={errors[`${key}.duration`]} />
              <TextInput label={`${title} new secret`} type="password" autoComplete="off" value={String(token.secret ?? '')}
                onValue={(secret) => onPatch(key, { secret: secret || undefined })} error={errors[`${key}.secret`]}
                help="Empty keeps the stored secret; a new one (30–255 characters) invalidates every issued token of this kind." />
            </div>
            <button type="button" class="button button-ghost" onClick={() => onPatch(key, { secret: randomSecret() })}>Generate a new {title.toLowerCase()} secret</button>
          </fieldset>
        );
      })}
    </>
  );
}
