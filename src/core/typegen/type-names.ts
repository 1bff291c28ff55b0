/**
 * TypeScript names for schema names (docs/typegen.md): PascalCase identifiers, unique
 * within one list, safe for any name a schema allows (`_authOrigins` → `AuthOrigins`,
 * `2fa` → `_2fa`, `my-value` → `MyValue`).
 */

/** Maps each of `names` to a distinct PascalCase identifier. */
export function typeNames(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const name of names) {
    if (out.has(name)) continue;
    const base = pascalCase(name);
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}${n}`;
    used.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

function isAsciiAlnum(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/** PascalCase of `name`: words split at any character that is not an ASCII letter or digit. */
function pascalCase(name: string): string {
  const words: string[] = [];
  let word = '';
  for (const ch of name) {
    if (isAsciiAlnum(ch)) word += ch;
    else if (word !== '') {
      words.push(word);
      word = '';
    }
  }
  if (word !== '') words.push(word);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  if (joined === '') return 'Value';
  return joined[0]! >= '0' && joined[0]! <= '9' ? `_${joined}` : joined;
}
