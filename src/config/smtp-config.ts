/**
 * The SMTP settings an operator may pin through the environment
 * (`PLINTH_SMTP_HOST`, `_PORT`, `_USERNAME`, `_PASSWORD`, `_TLS`). Each one set
 * overrides the same key of the `smtp` settings; a host also enables SMTP.
 */
import type { SmtpOverride } from './config.js';
import { ConfigError } from './config-error.js';
import { parseBoolean } from './config-values.js';

/** The environment variable of each SmtpOverride key. */
export const SMTP_ENV = {
  host: 'PLINTH_SMTP_HOST',
  port: 'PLINTH_SMTP_PORT',
  username: 'PLINTH_SMTP_USERNAME',
  password: 'PLINTH_SMTP_PASSWORD',
  tls: 'PLINTH_SMTP_TLS',
} as const;

/** Reads the SMTP override from the environment; undefined when no variable is set. */
export function loadSmtpOverride(env: NodeJS.ProcessEnv): SmtpOverride | undefined {
  const raw = (name: keyof typeof SMTP_ENV): string | undefined => {
    const value = env[SMTP_ENV[name]];
    // An empty variable counts as unset, as for every PLINTH_* variable.
    return value === undefined || value === '' ? undefined : value;
  };
  const out: SmtpOverride = {};
  const host = raw('host');
  if (host !== undefined) {
    if (/\s/.test(host)) throw new ConfigError(SMTP_ENV.host, `"${host}" is not a host name`);
    out.host = host;
  }
  const port = raw('port');
  if (port !== undefined) {
    const n = /^\d{1,5}$/.test(port.trim()) ? Number(port.trim()) : NaN;
    if (!(n >= 1 && n <= 65535)) throw new ConfigError(SMTP_ENV.port, `"${port}" is not a port number between 1 and 65535`);
    out.port = n;
  }
  const username = raw('username');
  if (username !== undefined) out.username = username;
  const password = raw('password');
  if (password !== undefined) out.password = password;
  const tls = raw('tls');
  if (tls !== undefined) out.tls = parseBoolean(tls, SMTP_ENV.tls);
  return Object.keys(out).length > 0 ? out : undefined;
}
