/**
 * `#/settings` and `#/settings/{section}` (docs/dashboard.md, "Settings"): the settings
 * sub-navigation beside one section. The settings object is loaded once here and replaced by
 * what each save answers.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { href } from '../../router.js';
import { formErrors } from '../../field-errors.js';
import { Loading } from '../../components/loading.js';
import { NotFound } from '../../components/not-found.js';
import { PageHeader } from '../../components/page-header.js';
import type { AppSettings } from './app-settings.js';
import { ApplicationSection } from './application-section.js';
import { BackupsSection } from './backups-section.js';
import { BatchSection } from './batch-section.js';
import { CronsSection } from './crons-section.js';
import { LogsSection } from './logs-section.js';
import { MailSection } from './mail-section.js';
import { ProxySection } from './proxy-section.js';
import { RateLimitsSection } from './rate-limits-section.js';
import type { SectionProps } from './section-props.js';
import { findSection, SETTINGS_SECTIONS, type SettingsSectionId } from './settings-sections.js';
import { StorageSection } from './storage-section.js';

const SECTIONS: Record<Exclude<SettingsSectionId, 'crons'>, ComponentType<SectionProps>> = {
  application: ApplicationSection,
  mail: MailSection,
  storage: StorageSection,
  backups: BackupsSection,
  'rate-limits': RateLimitsSection,
  proxy: ProxySection,
  batch: BatchSection,
  logs: LogsSection,
};

export default function SettingsPage({ params }: PageProps) {
  const section = findSection(params.section);
  const [settings, setSettings] = useState<AppSettings | null>(null);
  // NOTE: bumped on every save, so a section's form restarts from what the server answered.
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    pb.settings.getAll({ requestKey: 'settings' }).then((s) => setSettings(s as AppSettings), (err: unknown) => setError(formErrors(err).form));
  }, []);

  const saved = (next: AppSettings): void => {
    setSettings(next);
    setVersion((v) => v + 1);
  };

  let content;
  if (!section) content = <NotFound title="Page not found" detail={`There is no settings section named "${params.section ?? ''}".`} />;
  else if (section === 'crons') content = <CronsSection />;
  else if (error) content = <p class="form-error" role="alert">{error}</p>;
  else if (!settings) content = <Loading />;
  else {
    const Section = SECTIONS[section];
    content = <Section key={`${section}-${version}`} settings={settings} onSaved={saved} />;
  }

  return (
    <>
      <PageHeader title="Settings" />
      <div class="split">
        <nav class="split-side" aria-label="Settings sections">
          <ul class="link-list">
            {SETTINGS_SECTIONS.map((s) => (
              <li key={s.id}>
                <a href={href('/settings/{section}', { section: s.id })} aria-current={s.id === section ? 'page' : undefined}>{s.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="split-main">{content}</div>
      </div>
    </>
  );
}
