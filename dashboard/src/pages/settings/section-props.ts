/** What every settings section receives from the settings page. */
import type { AppSettings } from './app-settings.js';

export interface SectionProps {
  settings: AppSettings;
  /** Called with the whole settings object a save answered. */
  onSaved: (settings: AppSettings) => void;
}
