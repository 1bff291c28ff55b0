/**
 * The SettingsService keeps the application settings in the `_params` table and
 * in memory; readers get the cached copy, writers validate and persist.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { badRequest } from '../../errors/app-error.js';
import { defaultSettings, type Settings } from './settings.js';
import { addUnsupportedSettingErrors } from './settings-unsupported.js';
import { validateSettings } from './settings-validate.js';

const PARAM_ID = 'settings';

/** SettingsService reads and changes the settings. */
export class SettingsService {
  private current: Settings = defaultSettings();
  private readonly listeners: ((s: Settings) => void)[] = [];
  private readonly savedListeners: (() => Promise<void> | void)[] = [];

  constructor(private readonly db: Db) {}

  /** Loads the stored settings (defaults fill anything missing). */
  async init(): Promise<void> {
    const { rows } = await sql<{ value: string | null }>`SELECT value FROM _params WHERE id = ${PARAM_ID}`.execute(this.db);
    const stored = rows[0]?.value ? (JSON.parse(rows[0].value) as unknown) : {};
    this.current = mergeTyped(defaultSettings(), stored, 'settings', false) as Settings;
  }

  /** The current settings (do not mutate). */
  get(): Settings {
    return this.current;
  }

  /** Calls `fn` after every change, whether saved here or reloaded after another node saved it. */
  onChange(fn: (s: Settings) => void): void {
    this.listeners.push(fn);
  }

  /** Calls (and awaits) `fn` after this node saved a change, to tell the other nodes; not after a reload. */
  onSaved(fn: () => Promise<void> | void): void {
    this.savedListeners.push(fn);
  }

  /** Re-reads the stored settings (another node changed them); listeners hear of an actual change. */
  async reload(): Promise<void> {
    const before = JSON.stringify(this.current);
    await this.init();
    if (JSON.stringify(this.current) === before) return;
    for (const fn of this.listeners) fn(this.current);
  }

  /**
   * Merges a partial settings object (objects key-wise, arrays and scalars
   * replaced); a blank secret keeps the stored one. Returns the new settings.
   */
  async patch(patch: unknown): Promise<Settings> {
    return this.save(this.draft(patch));
  }

  /** The settings a partial settings object makes of the current ones, not yet validated nor saved. */
  draft(patch: unknown): Settings {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw badRequest('Failed to load the submitted data due to invalid formatting.');
    }
    const next = mergeTyped(this.current, patch, 'settings', true) as Settings;
    keepBlankSecrets(next, this.current);
    return next;
  }

  /** Validates and stores `next` (a draft), then tells the listeners. */
  async save(next: Settings): Promise<Settings> {
    const errors = validateSettings(next) ?? {};
    addUnsupportedSettingErrors(errors, next, this.current);
    if (Object.keys(errors).length > 0) throw badRequest('An error occurred while validating the submitted data.', errors);
    const value = JSON.stringify(next);
    await sql`INSERT INTO _params (id, value, created, updated) VALUES (${PARAM_ID}, ${value}, '', '')
      ON CONFLICT (id) DO UPDATE SET value = excluded.value`.execute(this.db);
    this.current = next;
    for (const fn of this.listeners) fn(next);
    for (const fn of this.savedListeners) await fn();
    return next;
  }
}

/**
 * Merges `patch` onto `base` following the shape of `base` (Go's JSON into a
 * struct): unknown keys are dropped; a value of the wrong kind is a 400 when
 * `strict`, and is ignored when reading stored settings.
 */
function mergeTyped(base: unknown, patch: unknown, path: string, strict: boolean): unknown {
  if (patch === undefined) return base;
  const wrongKind = () => {
    if (strict) throw badRequest('Failed to load the submitted data due to invalid formatting.', {}, new Error(`${path} has the wrong type`));
    return base;
  };
  if (Array.isArray(base)) {
    if (!Array.isArray(patch)) return patch === null ? [] : wrongKind();
    const sample = defaultItem(path);
    return sample === undefined ? patch.filter((x) => typeof x === 'string') : patch.map((x, i) => mergeTyped(sample, x, `${path}.${i}`, strict));
  }
  if (typeof base === 'object' && base !== null) {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return wrongKind();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) out[k] = mergeTyped(v, (patch as Record<string, unknown>)[k], `${path}.${k}`, strict);
    return out;
  }
  if (typeof patch !== typeof base) return wrongKind();
  return patch;
}

/** The template of array items that are objects (rate-limit rules). */
function defaultItem(path: string): unknown {
  return path.endsWith('rateLimits.rules') ? { label: '', audience: '', duration: 0, maxRequests: 0 } : undefined;
}

function keepBlankSecrets(next: Settings, old: Settings): void {
  if (next.smtp.password === '') next.smtp.password = old.smtp.password;
  if (next.s3.secret === '') next.s3.secret = old.s3.secret;
  if (next.backups.s3.secret === '') next.backups.s3.secret = old.backups.s3.secret;
}
