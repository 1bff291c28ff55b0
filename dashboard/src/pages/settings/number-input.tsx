/** A labelled number input over a numeric setting: an empty box is 0, the server checks the range. */
import { TextInput } from '../../components/text-input.js';

export interface NumberInputProps {
  label: string;
  value: number;
  onValue: (value: number) => void;
  error?: string;
  help?: string;
}

export function NumberInput({ label, value, onValue, error, help }: NumberInputProps) {
  return (
    <TextInput type="number" label={label} value={Number.isFinite(value) ? String(value) : ''} error={error} help={help}
      onValue={(text) => onValue(text.trim() === '' ? 0 : Number(text))} />
  );
}
