/**
 * One API rule (docs/api.md §2.2): "Superusers only" (null), "Everyone" ("") or a custom filter
 * expression typed in a RuleInput.
 */
import { useId, useState } from 'preact/hooks';
import { RuleInput } from './rule-input.js';
import type { Json } from './schema-draft.js';

type Mode = 'locked' | 'everyone' | 'custom';

export interface RuleBoxProps {
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  collection: Json;
  error?: string;
  help?: string;
  /** Whether "Everyone" is offered (manageRule must be null or a non-empty filter). */
  allowEveryone?: boolean;
  /** The label of the open choice (""); "Everyone" unless set. */
  openLabel?: string;
  disabled?: boolean;
}

function modeOf(value: string | null): Mode {
  if (value === null) return 'locked';
  return value === '' ? 'everyone' : 'custom';
}

export function RuleBox({ label, value, onChange, collection, error, help, allowEveryone = true, openLabel = 'Everyone', disabled }: RuleBoxProps) {
  const name = useId();
  // A custom rule whose text was cleared stays "custom" on screen until the user picks another mode.
  const [mode, setMode] = useState<Mode>(modeOf(value));
  const shown: Mode = modeOf(value) === 'custom' ? 'custom' : mode === 'custom' ? 'custom' : modeOf(value);
  const pick = (next: Mode): void => {
    setMode(next);
    if (next === 'locked') onChange(null);
    else if (next === 'everyone') onChange('');
    else onChange(value ?? '');
  };
  const options: [Mode, string][] = [['locked', 'Superusers only'], ...(allowEveryone ? [['everyone', openLabel] as [Mode, string]] : []), ['custom', 'Custom rule']];
  return (
    <fieldset class="rule-box" disabled={disabled}>
      <legend>{label}</legend>
      <div class="segmented" role="radiogroup" aria-label={`${label} access`}>
        {options.map(([option, text]) => (
          <label key={option} class="segmented-option">
            <input type="radio" name={name} value={option} checked={shown === option} onChange={() => pick(option)} />
            {text}
          </label>
        ))}
      </div>
      {help ? <p class="field-help">{help}</p> : null}
      {shown === 'custom'
        ? <RuleInput label={`${label} filter`} value={value ?? ''} onChange={(text) => onChange(text)} collection={collection} error={error} />
        : error ? <p class="field-error" role="alert">{error}</p> : null}
    </fieldset>
  );
}
