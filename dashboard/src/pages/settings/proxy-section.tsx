/**
 * `#/settings/proxy`: which header names the client address behind a trusted proxy
 * (`trustedProxy`), and the addresses superusers may come from (`superuserIPs`). Shows what
 * the server sees of this request (`GET /api/health` for a superuser), as a hint.
 */
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { Checkbox } from '../../components/checkbox.js';
import { ListInput } from './list-input.js';
import type { SectionProps } from './section-props.js';
import { SettingsForm } from './settings-form.js';
import { useSettingsSave } from './use-settings-save.js';

interface HealthData {
  realIP?: string;
  possibleProxyHeader?: string;
}

export function ProxySection({ settings, onSaved }: SectionProps) {
  const [proxy, setProxy] = useState(settings.trustedProxy);
  const [superuserIPs, setSuperuserIPs] = useState(settings.superuserIPs);
  const [health, setHealth] = useState<HealthData>({});
  const save = useSettingsSave(onSaved);
  const errors = save.errors.fields;

  useEffect(() => {
    pb.health.check({ requestKey: 'proxy-health' }).then((answer) => setHealth((answer.data ?? {}) as HealthData), () => setHealth({}));
  }, []);

  return (
    <SettingsForm title="Trusted proxy and superuser IPs" save={save} onSubmit={() => void save.run({ trustedProxy: proxy, superuserIPs })}>
      <p class="muted">
        {health.realIP ? <>The server sees your address as <strong>{health.realIP}</strong>. </> : null}
        {health.possibleProxyHeader ? <>Your request carries <code>{health.possibleProxyHeader}</code>: behind a proxy, name it below.</> : null}
      </p>
      <ListInput label="Client IP headers" value={proxy.headers} onValue={(v) => setProxy({ ...proxy, headers: v })} error={errors['trustedProxy.headers']}
        placeholder="X-Forwarded-For" help="Believed only from the peers trusted by --trustedProxy (docs/configuration.md)." />
      <Checkbox label="Use the leftmost IP of the header" checked={proxy.useLeftmostIP} onChecked={(v) => setProxy({ ...proxy, useLeftmostIP: v })}
        error={errors['trustedProxy.useLeftmostIP']} help="Off: the rightmost, the one your proxy added." />
      <ListInput label="Superuser IPs" value={superuserIPs} onValue={setSuperuserIPs} error={errors.superuserIPs}
        help="One IP or CIDR range per line. When set, superusers are refused from anywhere else — include your own address." />
    </SettingsForm>
  );
}
