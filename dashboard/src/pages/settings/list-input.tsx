/** A labelled text area for a list of short values (IPs, header names): one per line or comma-separated. */
import { useState } from 'preact/hooks';
import { FormField } from '../../components/form-field.js';

export interface ListInputProps {
  label: string;
  value: readonly string[];
  onValue: (value: string[]) => void;
  error?: string;
  help?: string;
  placeholder?: string;
}

/** The values of the text: split on commas and line breaks, trimmed, empty ones dropped. */
export function parseList(text: string): string[] {
  return text.split(/[,\n]/).map((item) => item.trim()).filter((item) => item !== '');
}

export function ListInput({ label, value, onValue, error, help, placeholder }: ListInputProps) {
  // NOTE: the text is kept as typed (a trailing comma, a blank line); the list is what is saved.
  const [text, setText] = useState(value.join('\n'));
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <textarea {...ids} rows={3} value={text} placeholder={placeholder}
        onInput={(e) => { setText(e.currentTarget.value); onValue(parseList(e.currentTarget.value)); }} />
    )} />
  );
}
