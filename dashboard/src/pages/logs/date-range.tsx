/**
 * The logs' date range (docs/dashboard.md, "Logs"): From and To as datetime-local inputs read
 * as UTC, to the minute, each optional, with a Clear button. A change applies at once.
 */
import { Button } from '../../components/button.js';
import { FormField } from '../../components/form-field.js';

export interface DateRangeProps {
  from: string;
  to: string;
  error?: string;
  onRange: (range: { from: string; to: string }) => void;
}

export function DateRange({ from, to, error, onRange }: DateRangeProps) {
  return (
    <fieldset class="logs-range">
      <legend>Date range (UTC)</legend>
      <MinuteInput label="From (UTC)" value={from} error={error} onValue={(v) => onRange({ from: v, to })} />
      <MinuteInput label="To (UTC)" value={to} onValue={(v) => onRange({ from, to: v })} />
      <Button disabled={from === '' && to === ''} onClick={() => onRange({ from: '', to: '' })}>Clear range</Button>
    </fieldset>
  );
}

function MinuteInput({ label, value, error, onValue }: { label: string; value: string; error?: string; onValue: (v: string) => void }) {
  return (
    <FormField label={label} error={error} render={(ids) => (
      // NOTE: datetime-local has no time zone; the page reads its value as UTC and says so in the label.
      <input {...ids} type="datetime-local" step={60} value={value} onChange={(e) => onValue(e.currentTarget.value)} />
    )} />
  );
}
