/** The small labelled inputs of the schema forms: a number (or blank), a list typed as text, a textarea. */
import { useState } from 'preact/hooks';
import { FormField } from '../../components/form-field.js';
import { parseList } from './schema-draft.js';

export interface NumberInputProps {
  label: string;
  value: number | null | undefined;
  onValue: (value: number | null) => void;
  error?: string;
  help?: string;
  /** Whether blank means null (number min/max) rather than 0. */
  nullable?: boolean;
  disabled?: boolean;
  min?: number;
}

/** A number box: blank is null when `nullable`, else 0. */
export function NumberInput({ label, value, onValue, error, help, nullable, disabled, min }: NumberInputProps) {
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <input {...ids} type="number" step="any" min={min} disabled={disabled} value={value ?? ''}
        onInput={(e) => {
          const text = e.currentTarget.value;
          onValue(text === '' ? (nullable ? null : 0) : Number(text));
        }} />
    )} />
  );
}

export interface ListInputProps {
  label: string;
  value: readonly string[] | undefined;
  onValue: (value: string[]) => void;
  error?: string;
  help?: string;
  disabled?: boolean;
  placeholder?: string;
}

/** A list typed as comma-separated text; the text stays as typed while the list follows it. */
export function ListInput({ label, value, onValue, error, help, disabled, placeholder }: ListInputProps) {
  const joined = (value ?? []).join(', ');
  const [text, setText] = useState(joined);
  // Keep what the user typed (with its trailing comma) unless the list changed from elsewhere.
  const shown = parseList(text).join(', ') === joined ? text : joined;
  return (
    <FormField label={label} error={error} help={help ?? 'Separate the items with commas.'} render={(ids) => (
      <input {...ids} type="text" disabled={disabled} value={shown} placeholder={placeholder}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onValue(parseList(e.currentTarget.value));
        }} />
    )} />
  );
}

export interface TextAreaProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
  help?: string;
  rows?: number;
  code?: boolean;
}

/** A labelled multi-line text box (templates, SQL, JSON). */
export function TextArea({ label, value, onValue, error, help, rows = 4, code }: TextAreaProps) {
  return (
    <FormField label={label} error={error} help={help} render={(ids) => (
      <textarea {...ids} rows={rows} class={code ? 'code' : undefined} spellcheck={!code} value={value}
        onInput={(e) => onValue(e.currentTarget.value)} />
    )} />
  );
}

export interface JsonInputProps {
  label: string;
  value: unknown;
  onValue: (value: unknown) => void;
  error?: string;
}

/** A JSON value typed as text: kept as typed while it does not parse, and said so; a parsed value is passed on. */
export function JsonInput({ label, value, onValue, error }: JsonInputProps) {
  const [text, setText] = useState(() => JSON.stringify(value ?? {}));
  const [invalid, setInvalid] = useState(false);
  return (
    <TextArea label={label} code rows={2} value={text} error={error ?? (invalid ? 'This is not valid JSON.' : undefined)}
      onValue={(next) => {
        setText(next);
        try {
          onValue(JSON.parse(next) as unknown);
          setInvalid(false);
        } catch {
          setInvalid(true);
        }
      }} />
  );
}
