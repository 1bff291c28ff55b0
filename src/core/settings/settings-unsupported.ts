/**
 * The settings PocketBase has and Plinth does not implement yet (docs/api.md §9). Each
 * may stay at a value that asks for nothing (the default or disabled one, which
 * PocketBase's dashboard and SDK send back unchanged) or at the value already
 * stored; any other value is refused with a 400 naming the setting, rather than
 * saved and silently ignored. Remove a row when its feature lands.
 */
import type { ErrorData } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { ErrorBag } from '../../errors/error-bag.js';
import type { Settings } from './settings.js';

/** One setting Plinth does not act on yet. */
export interface UnsupportedSetting {
  /** Where the setting is in the settings object. */
  path: readonly string[];
  /** The feature the setting belongs to, as the error message names it. */
  feature: string;
  /** Whether a value asks for nothing Plinth lacks. */
  asksNothing(value: unknown): boolean;
}

/** Empty since backups on S3 landed: every setting PocketBase has is implemented. */
const UNSUPPORTED_SETTINGS: readonly UnsupportedSetting[] = [];

function valueAt(settings: Settings, path: readonly string[]): unknown {
  let node: unknown = settings;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node;
}

/**
 * Adds an error to `errors` for each unimplemented setting that `next` changes from
 * `current` to a value asking for something (`validation_unsupported_setting`); `table`
 * is the list of such settings (Plinth's own unless a test names others).
 */
export function addUnsupportedSettingErrors(
  errors: ErrorData, next: Settings, current: Settings, table: readonly UnsupportedSetting[] = UNSUPPORTED_SETTINGS,
): void {
  const bag = new ErrorBag(errors);
  for (const setting of table) {
    const value = valueAt(next, setting.path);
    if (setting.asksNothing(value) || value === valueAt(current, setting.path)) continue;
    const { feature } = setting;
    bag.set(setting.path, codeError('validation_unsupported_setting', { feature }, `${feature} is not implemented in Plinth yet.`));
  }
}
