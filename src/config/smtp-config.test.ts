import { describe, expect, it } from 'vitest';
import { loadSmtpOverride } from './smtp-config.js';
import { loadConfig } from './load-config.js';

describe('PLINTH_SMTP_* override', () => {
  it('is absent when no variable is set (empty counts as unset)', () => {
    expect(loadSmtpOverride({})).toBeUndefined();
    expect(loadSmtpOverride({ PLINTH_SMTP_HOST: '' })).toBeUndefined();
    expect(loadConfig({}, {}, '/tmp').smtp).toBeUndefined();
  });

  it('reads every variable', () => {
    const env = { PLINTH_SMTP_HOST: 'smtp.test', PLINTH_SMTP_PORT: '465', PLINTH_SMTP_USERNAME: 'u', PLINTH_SMTP_PASSWORD: 'p', PLINTH_SMTP_TLS: 'true' };
    expect(loadConfig({}, env, '/tmp').smtp).toEqual({ host: 'smtp.test', port: 465, username: 'u', password: 'p', tls: true });
  });

  it.each([
    [{ PLINTH_SMTP_PORT: '0' }, 'PLINTH_SMTP_PORT'],
    [{ PLINTH_SMTP_PORT: 'abc' }, 'PLINTH_SMTP_PORT'],
    [{ PLINTH_SMTP_TLS: 'maybe' }, 'PLINTH_SMTP_TLS'],
    [{ PLINTH_SMTP_HOST: 'a b' }, 'PLINTH_SMTP_HOST'],
  ])('refuses %o naming the variable', (env, name) => {
    expect(() => loadSmtpOverride(env)).toThrow(name);
  });
});
