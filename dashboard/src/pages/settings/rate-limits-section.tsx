/** `#/settings/rate-limits` (docs/api.md §1.9): the rules table (label, max requests, duration, audience) and the excluded IPs. */
import { useState } from 'preact/hooks';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import type { RateLimitRule } from './app-settings.js';
import { ListInput } from './list-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

const AUDIENCES = [
  { value: '', label: 'Everyone' },
  { value: '@guest', label: 'Guests only' },
  { value: '@auth', label: 'Signed-in only' },
] as const;

export function RateLimitsSection({ settings, onSaved }: SectionProps) {
  const [limits, setLimits] = useState(settings.rateLimits);
  const save = useSettingsSave(onSaved);
  const errors = save.errors.fields;
  const setRule = (index: number, rule: RateLimitRule): void =>
    setLimits({ ...limits, rules: limits.rules.map((r, i) => (i === index ? rule : r)) });
  const addRule = (): void => setLimits({ ...limits, rules: [...limits.rules, { label: '', audience: '', duration: 3, maxRequests: 20 }] });
  const removeRule = (index: number): void => setLimits({ ...limits, rules: limits.rules.filter((_, i) => i !== index) });
  const cellError = (index: number, key: keyof RateLimitRule): string | undefined => errors[`rateLimits.rules.${index}.${key}`];

  return (
    <SettingsForm title="Rate limits" save={save} onSubmit={() => void save.run({ rateLimits: limits })}>
      <Checkbox label="Enable rate limiting" checked={limits.enabled} onChecked={(v) => setLimits({ ...limits, enabled: v })} error={errors['rateLimits.enabled']} />
      <table class="settings-table settings-rules">
        <caption class="visually-hidden">Rate limit rules</caption>
        <thead>
          <tr><th scope="col">Label</th><th scope="col">Max requests</th><th scope="col">Per seconds</th><th scope="col">Audience</th>
            <th scope="col"><span class="visually-hidden">Remove</span></th></tr>
        </thead>
        <tbody>
          {limits.rules.map((rule, index) => (
            <tr key={index}>
              <td>
                <input aria-label={`Rule ${index + 1} label`} value={rule.label} placeholder="/api/ or users:auth" aria-invalid={cellError(index, 'label') ? true : undefined}
                  onInput={(e) => setRule(index, { ...rule, label: e.currentTarget.value })} />
                {cellError(index, 'label') ? <p class="field-error">{cellError(index, 'label')}</p> : null}
              </td>
              <td>
                <input type="number" aria-label={`Rule ${index + 1} max requests`} value={String(rule.maxRequests)} aria-invalid={cellError(index, 'maxRequests') ? true : undefined}
                  onInput={(e) => setRule(index, { ...rule, maxRequests: Number(e.currentTarget.value) })} />
                {cellError(index, 'maxRequests') ? <p class="field-error">{cellError(index, 'maxRequests')}</p> : null}
              </td>
              <td>
                <input type="number" aria-label={`Rule ${index + 1} duration in seconds`} value={String(rule.duration)} aria-invalid={cellError(index, 'duration') ? true : undefined}
                  onInput={(e) => setRule(index, { ...rule, duration: Number(e.currentTarget.value) })} />
                {cellError(index, 'duration') ? <p class="field-error">{cellError(index, 'duration')}</p> : null}
              </td>
              <td>
                <select aria-label={`Rule ${index + 1} audience`} value={rule.audience}
                  onChange={(e) => setRule(index, { ...rule, audience: e.currentTarget.value as RateLimitRule['audience'] })}>
                  {AUDIENCES.map((a) => <option key={a.value} value={a.value}>{a.label}</option>)}
                </select>
              </td>
              <td><Button variant="ghost" aria-label={`Remove rule ${index + 1}`} onClick={() => removeRule(index)}>Remove</Button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div><Button onClick={addRule}>Add rule</Button></div>
      <p class="field-help">A label is a path prefix (<code>/api/</code>), a method and path (<code>POST /api/batch</code>), or
        <code> collection:action</code> / <code>*:action</code>.</p>
      <ListInput label="Excluded IPs" value={limits.excludedIPs} onValue={(v) => setLimits({ ...limits, excludedIPs: v })}
        error={errors['rateLimits.excludedIPs']} help="One IP or CIDR range per line; never limited." />
    </SettingsForm>
  );
}
