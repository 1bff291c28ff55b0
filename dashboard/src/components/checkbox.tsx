/** A labelled checkbox with its error text. */
import { FormField } from './form-field.js';

export interface CheckboxProps {
  label: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  error?: string;
  help?: string;
  disabled?: boolean;
}

export function Checkbox({ label, checked, onChecked, error, help, disabled }: CheckboxProps) {
  return (
    <FormField label={label} error={error} help={help} labelAfter render={(ids) => (
      <input {...ids} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChecked(e.currentTarget.checked)} />
    )} />
  );
}
