/**
 * The metrics token (`PLINTH_METRICS_TOKEN`, docs/observability.md §1): a shared secret a
 * Prometheus scraper sends as `Authorization: Bearer …` to read `GET /api/metrics`.
 */
import { ConfigError } from './config-error.js';

/** The shortest token accepted: shorter ones are guessable by a scraper's neighbours. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

/** The longest token accepted (it travels in a header). */
const MAX_METRICS_TOKEN_LENGTH = 512;

/**
 * Parses the metrics token: 16 to 512 printable ASCII characters without spaces, as a
 * header value carries it. SECURITY: the refused value is never shown, it is a secret.
 */
export function parseMetricsToken(raw: string, source: string): string {
  const value = raw.trim();
  if (value.length < MIN_METRICS_TOKEN_LENGTH || value.length > MAX_METRICS_TOKEN_LENGTH) {
    throw new ConfigError(source, `the token must be ${MIN_METRICS_TOKEN_LENGTH} to ${MAX_METRICS_TOKEN_LENGTH} characters long (e.g. from \`openssl rand -hex 32\`)`);
  }
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) throw new ConfigError(source, 'the token must be printable ASCII characters without spaces');
  }
  return value;
}
