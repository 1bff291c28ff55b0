/**
 * Recognizes decimal number text (`-1.5e3`, `.5`, `1_000`) in one left-to-right
 * scan, where a regular expression such as `^\d+\.?\d*$` would backtrack
 * quadratically on a long run of digits that fails at its end.
 */

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Whether `s` is `[+-]? (digits .? digits* | . digits+) ([eE] [+-]? digits+)?`;
 * with `underscores`, single `_` may also separate the digits of the integer part
 * (strconv.ParseFloat's `digits (_digits)*`).
 */
export function isDecimalText(s: string, underscores: boolean): boolean {
  const n = s.length;
  let i = 0;
  if (i < n && (s[i] === '+' || s[i] === '-')) i++;
  const intStart = i;
  while (i < n) {
    if (isDigit(s.charCodeAt(i))) i++;
    // An underscore only between two digits of the integer part.
    else if (underscores && s[i] === '_' && i > intStart && isDigit(s.charCodeAt(i - 1)) && i + 1 < n && isDigit(s.charCodeAt(i + 1))) i++;
    else break;
  }
  const intDigits = i - intStart;
  let fracDigits = 0;
  if (i < n && s[i] === '.') {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      i++;
      fracDigits++;
    }
  }
  if (intDigits === 0 && fracDigits === 0) return false;
  if (i < n && (s[i] === 'e' || s[i] === 'E')) {
    i++;
    if (i < n && (s[i] === '+' || s[i] === '-')) i++;
    const expStart = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return false;
  }
  return i === n;
}
