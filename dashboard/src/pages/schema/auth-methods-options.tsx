/** An auth collection's sign-in methods (docs/api.md §2.1): password, one-time code and MFA. */
import { Checkbox } from '../../components/checkbox.js';
import { ListInput, NumberInput } from './option-inputs.js';
import { RuleInput } from './rule-input.js';
import type { Draft, Json } from './schema-draft.js';

export interface AuthOptionsProps {
  draft: Draft;
  /** Merges `partial` into the option object `key` (`passwordAuth`, `otp`, …). */
  onPatch: (key: string, partial: Json) => void;
  errors: Record<string, string>;
}

export function AuthMethodsOptions({ draft, onPatch, errors }: AuthOptionsProps) {
  const password = (draft.passwordAuth ?? {}) as Json;
  const otp = (draft.otp ?? {}) as Json;
  const mfa = (draft.mfa ?? {}) as Json;
  return (
    <>
      <fieldset class="option-section">
        <legend>Password</legend>
        <Checkbox label="Sign in with password" checked={password.enabled === true} onChecked={(enabled) => onPatch('passwordAuth', { enabled })} error={errors['passwordAuth.enabled']} />
        <ListInput label="Identity fields" value={password.identityFields as string[] | undefined} onValue={(identityFields) => onPatch('passwordAuth', { identityFields })}
          error={errors['passwordAuth.identityFields']} help="The fields a user may sign in with, e.g. email, username; each needs a unique index." />
      </fieldset>
      <fieldset class="option-section">
        <legend>One-time password (OTP)</legend>
        <Checkbox label="Sign in with an emailed code" checked={otp.enabled === true} onChecked={(enabled) => onPatch('otp', { enabled })} error={errors['otp.enabled']} />
        <div class="option-grid">
          <NumberInput label="OTP duration (seconds)" value={otp.duration as number} onValue={(duration) => onPatch('otp', { duration })} error={errors['otp.duration']} />
          <NumberInput label="OTP length" value={otp.length as number} onValue={(length) => onPatch('otp', { length })} error={errors['otp.length']} />
        </div>
      </fieldset>
      <fieldset class="option-section">
        <legend>Multi-factor authentication (MFA)</legend>
        <Checkbox label="Require a second factor" checked={mfa.enabled === true} onChecked={(enabled) => onPatch('mfa', { enabled })}
          error={errors['mfa.enabled']} help="Needs at least two sign-in methods enabled." />
        <NumberInput label="MFA duration (seconds)" value={mfa.duration as number} onValue={(duration) => onPatch('mfa', { duration })} error={errors['mfa.duration']} />
        <RuleInput label="MFA rule" value={(mfa.rule as string | undefined) ?? ''} collection={draft} error={errors['mfa.rule']}
          onChange={(rule) => onPatch('mfa', { rule })} />
        <p class="field-help">Which records need MFA: a filter, or empty for every record.</p>
      </fieldset>
    </>
  );
}
