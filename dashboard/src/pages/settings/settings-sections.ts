/** The settings sub-navigation: each section's path segment (`#/settings/{section}`) and label, in order. */

export const SETTINGS_SECTIONS = [
  { id: 'application', label: 'Application' },
  { id: 'mail', label: 'Mail' },
  { id: 'storage', label: 'File storage' },
  { id: 'backups', label: 'Backups' },
  { id: 'crons', label: 'Crons' },
  { id: 'rate-limits', label: 'Rate limits' },
  { id: 'proxy', label: 'Trusted proxy' },
  { id: 'batch', label: 'Batch API' },
  { id: 'logs', label: 'Logs' },
] as const;

export type SettingsSectionId = (typeof SETTINGS_SECTIONS)[number]['id'];

/** The section a path segment names, or undefined; `#/settings` alone opens the first. */
export function findSection(id: string | undefined): SettingsSectionId | undefined {
  if (id === undefined) return SETTINGS_SECTIONS[0].id;
  return SETTINGS_SECTIONS.find((s) => s.id === id)?.id;
}
