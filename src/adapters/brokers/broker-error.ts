/**
 * The short text of a broker client's error, as a delivery's lastError keeps it
 * (docs/outbound.md §5): one line, bounded, with any URL credentials masked.
 */

/** At most this many characters of a client's message are kept. */
const MAX_LENGTH = 300;

/** One line saying what went wrong, without credentials. */
export function brokerErrorMessage(err: unknown): string {
  // NOTE: a refused connection to a name with several addresses is an AggregateError with an empty message.
  if (err instanceof AggregateError && !err.message && err.errors.length > 0) err = err.errors[0];
  const e = err as { message?: unknown; code?: unknown } | null;
  let text = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  if (typeof e?.code === 'string' && !text.includes(e.code)) text += ` (${e.code})`;
  text = text.split(/\s/).filter((word) => word !== '').join(' ');
  // SECURITY: a client may quote the URL it was given; its user:password part is masked.
  text = maskCredentials(text);
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}

/** Masks `scheme://user:pass@` and `scheme://token@` in `text`, with plain string code. */
function maskCredentials(text: string): string {
  let out = '';
  let at = 0;
  for (let scheme = text.indexOf('://'); scheme !== -1; scheme = text.indexOf('://', at)) {
    const start = scheme + 3;
    let end = start;
    while (end < text.length && !' /?#@'.includes(text[end]!)) end++;
    out += text.slice(at, start);
    if (text[end] === '@') {
      out += '***@';
      at = end + 1;
    } else {
      at = start;
    }
  }
  return out + text.slice(at);
}
