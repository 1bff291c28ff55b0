/** A JSON field's input: a textarea checked as you type; the form refuses to save invalid JSON. */
import { FormField } from '../../components/form-field.js';

export interface JsonInputProps {
  label: string;
  /** The text being edited. */
  value: string;
  onValue: (text: string) => void;
  error?: string;
}

/** The parsed text, or the parser's complaint; an empty text is `null`. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `Invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function JsonInput({ label, value, onValue, error }: JsonInputProps) {
  const parsed = parseJsonText(value);
  return (
    <FormField label={label} error={error ?? (parsed.ok ? undefined : parsed.message)} render={(ids) => (
      <textarea {...ids} class="mono" rows={6} spellcheck={false} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    )} />
  );
}
