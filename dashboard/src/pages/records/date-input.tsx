/**
 * A date field's input: a date and a time box in UTC, as PocketBase stores and shows dates
 * (`2024-05-01 09:30:00.123Z`, docs/api.md §1.2). Clearing the date clears the value.
 */
import { useId } from 'preact/hooks';

export interface DateInputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  error?: string;
}

export function DateInput({ label, value, onValue, error }: DateInputProps) {
  const id = useId();
  const date = value.slice(0, 10);
  const time = value.slice(11, 19);
  // Milliseconds the inputs cannot show are kept as they were.
  const millis = /^\.\d{3}/.test(value.slice(19)) ? value.slice(19, 23) : '.000';
  const change = (nextDate: string, nextTime: string): void => onValue(nextDate ? `${nextDate} ${(nextTime || '00:00:00').padEnd(8, ':00').slice(0, 8)}${millis}Z` : '');
  return (
    <fieldset class={`field field-date${error ? ' field-invalid' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{label} <span class="muted">(UTC)</span></legend>
      <div class="input-row">
        <label class="visually-hidden" for={`${id}-date`}>{label} date</label>
        <input id={`${id}-date`} type="date" value={date} onInput={(e) => change(e.currentTarget.value, time)} />
        <label class="visually-hidden" for={`${id}-time`}>{label} time</label>
        <input id={`${id}-time`} type="time" step={1} value={time} disabled={!date} onInput={(e) => change(date, e.currentTarget.value)} />
        {value ? <button type="button" class="button button-ghost" onClick={() => onValue('')}>Clear</button> : null}
      </div>
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
    </fieldset>
  );
}
