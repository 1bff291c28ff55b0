/**
 * Target URLs of webhooks and brokers as the delivery log and the API show them:
 * without the secrets they may carry (docs/outbound.md §5).
 */

/**
 * `url` with its credentials masked: `amqp://user:***@host/…`; a lone user name (a NATS
 * token) becomes `***`. Text that is not a URL is returned as `***`.
 */
export function redactTarget(url: string): string {
  if (!URL.canParse(url)) return '***';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  else if (parsed.username !== '') parsed.username = '***';
  return parsed.toString();
}
