/**
 * The refusal of settings Plinth does not implement yet, as a function of the
 * submitted and the stored settings (the HTTP scenarios are in
 * test/settings-unsupported.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ErrorData } from '../../errors/app-error.js';
import { defaultSettings, type Settings } from './settings.js';
import { addUnsupportedSettingErrors } from './settings-unsupported.js';

function errorsFor(next: Settings, current: Settings = defaultSettings()): ErrorData {
  const errors: ErrorData = {};
  addUnsupportedSettingErrors(errors, next, current);
  return errors;
}

describe('unsupported settings', () => {
  it('leave the defaults alone', () => {
    expect(errorsFor(defaultSettings())).toEqual({});
  });

  it('refuse a value that asks for the missing feature, naming it', () => {
    const next = defaultSettings();
    next.s3.enabled = true;
    next.backups.s3.enabled = true;
    next.logs.maxDays = 7;
    expect(errorsFor(next)).toEqual({
      s3: { enabled: { code: 'validation_unsupported_setting', message: 'S3 file storage is not implemented in Plinth yet.', params: { feature: 'S3 file storage' } } },
      backups: {
        s3: { enabled: { code: 'validation_unsupported_setting', message: 'Backups to S3 is not implemented in Plinth yet.', params: { feature: 'Backups to S3' } } },
      },
      logs: { maxDays: { code: 'validation_unsupported_setting', message: 'Keeping request logs is not implemented in Plinth yet.', params: { feature: 'Keeping request logs' } } },
    });
  });

  it('keep a value already stored (saved before the refusal existed), so a read settings object saves again', () => {
    const stored = defaultSettings();
    stored.s3.enabled = true;
    stored.logs.maxDays = 30;
    const next = structuredClone(stored);
    expect(errorsFor(next, stored)).toEqual({});
    next.logs.maxDays = 31;
    expect(Object.keys(errorsFor(next, stored))).toEqual(['logs']);
  });

  it('join errors the other checks found in the same section', () => {
    const next = defaultSettings();
    next.s3.enabled = true;
    const errors: ErrorData = { s3: { bucket: { code: 'validation_required', message: 'Cannot be blank.' } } };
    addUnsupportedSettingErrors(errors, next, defaultSettings());
    expect(Object.keys(errors.s3!).sort()).toEqual(['bucket', 'enabled']);
  });
});
