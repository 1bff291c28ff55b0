/** A labelled text input (text, email, password, search, …) with its help and error text. */
import { FormField } from './form-field.js';

export interface TextInputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'search' | 'url' | 'tel' | 'number';
  error?: string;
  help?: string;
  name?: string;
  placeholder?: string;
  autoComplete?: string;
  required?: boolean;
  disabled?: boolean;
  minLength?: number;
  maxLength?: number;
}

export function TextInput(props: TextInputProps) {
  const { label, value, onValue, error, help, type = 'text' } = props;
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <input
        id={ids.id} aria-describedby={ids['aria-describedby']} aria-invalid={ids['aria-invalid']}
        // NOTE: Preact 11 types <input> by its `type`; this component takes the text-like ones only.
        type={type as 'text'} value={value} onInput={(e) => onValue(e.currentTarget.value)}
        name={props.name} placeholder={props.placeholder} autoComplete={props.autoComplete} required={props.required}
        disabled={props.disabled} minLength={props.minLength} maxLength={props.maxLength}
      />
    )} />
  );
}
