import { expect, it } from 'vitest';
import { defaultSettings } from '../settings/settings.js';
import { resolveSmtpOptions } from './smtp-options.js';

it('is null while SMTP is disabled and nothing overrides it', () => {
  expect(resolveSmtpOptions(defaultSettings().smtp)).toBeNull();
  expect(resolveSmtpOptions(defaultSettings().smtp, { port: 2525 })).toBeNull();
});

it('takes the settings, with each overridden key replaced', () => {
  const smtp = { ...defaultSettings().smtp, enabled: true, host: 'a.test', port: 25, username: 'u', password: 'p', authMethod: 'LOGIN' };
  expect(resolveSmtpOptions(smtp)).toMatchObject({ host: 'a.test', port: 25, username: 'u', authMethod: 'LOGIN', tls: false });
  expect(resolveSmtpOptions(smtp, { port: 465, tls: true })).toMatchObject({ host: 'a.test', port: 465, tls: true, username: 'u' });
  expect(resolveSmtpOptions(defaultSettings().smtp, { host: 'env.test' })).toMatchObject({ host: 'env.test', port: 587 });
});
