/**
 * The refusal of settings Plinth does not implement yet, as a function of the
 * submitted and the stored settings (the HTTP scenarios are in
 * test/settings-unsupported.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ErrorData } from '../../errors/app-error.js';
import { defaultSettings, type Settings } from './settings.js';
import { addUnsupportedSettingErrors, type UnsupportedSetting } from './settings-unsupported.js';

/** A stand-in table: every setting Plinth knows is implemented, so the mechanism is tested on one it once lacked. */
const TABLE: UnsupportedSetting[] = [{ path: ['backups', 's3', 'enabled'], feature: 'Backups to S3', asksNothing: (v) => v === false }];

function errorsFor(next: Settings, current: Settings = defaultSettings()): ErrorData {
  const errors: ErrorData = {};
  addUnsupportedSettingErrors(errors, next, current, TABLE);
  return errors;
}

describe('unsupported settings', () => {
  it('are none today: enabling backups on S3 is accepted', () => {
    const next = defaultSettings();
    next.backups.s3.enabled = true;
    const errors: ErrorData = {};
    addUnsupportedSettingErrors(errors, next, defaultSettings());
    expect(errors).toEqual({});
  });

  it('leave the defaults alone', () => {
    expect(errorsFor(defaultSettings())).toEqual({});
  });

  it('refuse a value that asks for the missing feature, naming it', () => {
    const next = defaultSettings();
    next.backups.s3.enabled = true;
    expect(errorsFor(next)).toEqual({
      backups: {
        s3: { enabled: { code: 'validation_unsupported_setting', message: 'Backups to S3 is not implemented in Plinth yet.', params: { feature: 'Backups to S3' } } },
      },
    });
  });

  it('keep a value already stored (saved before the refusal existed), so a read settings object saves again', () => {
    const stored = defaultSettings();
    stored.backups.s3.enabled = true;
    const next = structuredClone(stored);
    expect(errorsFor(next, stored)).toEqual({});
    next.backups.s3.enabled = false;
    stored.backups.s3.enabled = true;
    expect(errorsFor(structuredClone(stored), defaultSettings())).toEqual({ backups: { s3: { enabled: expect.objectContaining({ code: 'validation_unsupported_setting' }) } } });
  });

  it('join errors the other checks found in the same section', () => {
    const next = defaultSettings();
    next.backups.s3.enabled = true;
    const errors: ErrorData = { backups: { s3: { bucket: { code: 'validation_required', message: 'Cannot be blank.' } } } };
    addUnsupportedSettingErrors(errors, next, defaultSettings(), TABLE);
    expect(Object.keys((errors.backups as ErrorData).s3 as ErrorData).sort()).toEqual(['bucket', 'enabled']);
  });
});
