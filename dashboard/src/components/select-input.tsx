/** A labelled select with its error text. */
import { FormField } from './form-field.js';

export interface SelectInputProps {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onValue: (value: string) => void;
  error?: string;
  help?: string;
  disabled?: boolean;
}

export function SelectInput({ label, value, options, onValue, error, help, disabled }: SelectInputProps) {
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <select {...ids} value={value} disabled={disabled} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
    )} />
  );
}
