/**
 * A parser for the small subset of YAML that compose.yaml is written in, so a test can
 * read it without a YAML dependency: block mappings and sequences by indentation,
 * plain, single- and double-quoted scalars, JSON-style flow sequences (`["CMD", "x"]`),
 * whole-line comments. Anything else (anchors, multi-line scalars, sequences of
 * mappings, inline comments) throws, naming the line, so the file stays readable by it.
 */

/** A parsed YAML value. */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  no: number;
  indent: number;
  text: string;
}

/** Parses `source`, a document in the subset described above. */
export function parseYamlSubset(source: string): Yaml {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    const text = raw.trimEnd();
    const trimmed = text.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: tabs are not YAML indentation`);
    lines.push({ no: i + 1, indent: text.length - trimmed.length, text: trimmed });
  });
  const at = { i: 0 };
  const value = parseBlock(lines, at, lines[0]?.indent ?? 0);
  if (at.i < lines.length) throw new Error(`line ${lines[at.i].no}: unexpected indentation`);
  return value;
}

function parseBlock(lines: Line[], at: { i: number }, indent: number): Yaml {
  const first = lines[at.i];
  if (!first) return null;
  return first.text === '-' || first.text.startsWith('- ') ? parseSequence(lines, at, indent) : parseMapping(lines, at, indent);
}

function parseSequence(lines: Line[], at: { i: number }, indent: number): Yaml[] {
  const items: Yaml[] = [];
  while (at.i < lines.length && lines[at.i].indent === indent && lines[at.i].text.startsWith('- ')) {
    const line = lines[at.i++];
    const rest = line.text.slice(2).trim();
    if (keyOf(rest) !== undefined) throw new Error(`line ${line.no}: sequences of mappings are outside the subset`);
    items.push(parseScalar(rest, line.no));
  }
  return items;
}

function parseMapping(lines: Line[], at: { i: number }, indent: number): { [key: string]: Yaml } {
  const map: { [key: string]: Yaml } = {};
  while (at.i < lines.length && lines[at.i].indent === indent) {
    const line = lines[at.i++];
    const key = keyOf(line.text);
    if (key === undefined) throw new Error(`line ${line.no}: expected "key: value"`);
    if (Object.hasOwn(map, key)) throw new Error(`line ${line.no}: duplicate key "${key}"`);
    const rest = line.text.slice(key.length + 1).trim();
    const next = lines[at.i];
    if (rest !== '') map[key] = parseScalar(rest, line.no);
    else map[key] = next && next.indent > indent ? parseBlock(lines, at, next.indent) : null;
  }
  return map;
}

/** The key of a `key: value` or `key:` line, or undefined when the text is not one. */
function keyOf(text: string): string | undefined {
  if (text.startsWith('"') || text.startsWith("'") || text.startsWith('[')) return undefined;
  const colon = text.indexOf(': ');
  const end = colon >= 0 ? colon : text.endsWith(':') ? text.length - 1 : -1;
  return end > 0 ? text.slice(0, end) : undefined;
}

function parseScalar(text: string, no: number): Yaml {
  if (text.startsWith('&') || text.startsWith('*') || text.startsWith('|') || text.startsWith('>') || text.startsWith('{')) {
    throw new Error(`line ${no}: "${text}" is outside the subset`);
  }
  if (text.startsWith('"') || text.startsWith('[')) return JSON.parse(text) as Yaml;
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new Error(`line ${no}: unterminated quote`);
    return text.slice(1, -1).split("''").join("'");
  }
  if (text.includes(' #')) throw new Error(`line ${no}: inline comments are outside the subset`);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  const n = Number(text);
  return text !== '' && Number.isFinite(n) && String(n) === text ? n : text;
}
