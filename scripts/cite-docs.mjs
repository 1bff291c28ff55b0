#!/usr/bin/env node
/**
 * Points the section citations in src/ and test/ at Plinth's own reference in docs/.
 *
 * The code used to cite two documents that lived outside the repository: `spec §3.3`
 * (the Web API specification) and `design §3` (the design notes). docs/api.md and
 * docs/architecture.md keep their section numbers, so the rewrite is mechanical:
 *
 *   spec §X, Spec §X, api.md §X       → docs/api.md §X
 *   design §N, design.md §N           → docs/architecture.md §N
 *   hooks.md §N                       → docs/hooks.md §N
 *   a bare `§X` with no document      → docs/api.md §X (every one of them cites the spec)
 *   `(design.md)` with no section     → (docs/architecture.md)
 *
 * A bare `§X` that follows another citation in the same comment (`spec §5.3, §5.7`)
 * belongs to that citation's document and is left as it is. A `§` after a name that is
 * not one of ours (`RFC 9110 §13.1.2`, `OpenID Connect Core §3.1.3.7`) is left alone.
 *
 *   node scripts/cite-docs.mjs [--root=DIR]           rewrites DIR/src and DIR/test in place
 *   node scripts/cite-docs.mjs [--root=DIR] --check   changes nothing; exit 1 if a citation
 *                                                     still names the old documents, names no
 *                                                     document, or names a section docs/ lacks
 *
 * Either way it prints what it could not map: a section number that no heading of the
 * target file in DIR/docs has.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The folders whose files are rewritten, relative to the root. */
const SOURCE_DIRS = ['src', 'test'];
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** Each word that may name a document right before `§`, and the docs/ file it becomes. */
const DOCUMENTS = new Map([
  ['spec', 'docs/api.md'],
  ['Spec', 'docs/api.md'],
  ['api.md', 'docs/api.md'],
  ['spec/api.md', 'docs/api.md'],
  ['design', 'docs/architecture.md'],
  ['Design', 'docs/architecture.md'],
  ['design.md', 'docs/architecture.md'],
  ['hooks.md', 'docs/hooks.md'],
  ['spec/hooks.md', 'docs/hooks.md'],
]);

/** The document a bare `§X` with nothing before it in its comment is taken to cite. */
const DEFAULT_DOCUMENT = 'docs/api.md';

/**
 * Whether a character may be part of a document name (`spec`, `docs/api.md`, `RFC`, `6749`).
 * @param {string | undefined} ch
 */
function isNameChar(ch) {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || ch === '_' || ch === '.' || ch === '/' || ch === '-';
}

/** @param {string | undefined} ch */
function isDigit(ch) {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** @param {string | undefined} ch */
function isSpace(ch) {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/**
 * The index where the line holding `index` starts.
 * @param {string} text
 * @param {number} index
 */
function lineStart(text, index) {
  return text.lastIndexOf('\n', index - 1) + 1;
}

/**
 * Steps back from `index` over white space and comment leaders (`*` and `//` at the start
 * of a line) and returns the index just after the text that comes before them.
 * @param {string} text
 * @param {number} index
 */
function skipBackOverGap(text, index) {
  let i = index;
  for (;;) {
    while (i > 0 && isSpace(text[i - 1])) i--;
    const before = text.slice(lineStart(text, i), i).trim();
    if (before === '*' || before === '//' || before === '/*' || before === '/**') {
      i = lineStart(text, i);
      continue;
    }
    return i;
  }
}

/**
 * Where the comment around `index` begins: for a `//` line, the first of the `//` lines
 * right above it; for a JSDoc ` * ` line, its `/*` line; for anything else, the line itself.
 * @param {string} text
 * @param {number} index
 */
function commentStart(text, index) {
  let start = lineStart(text, index);
  const lineAt = (from) => {
    const end = text.indexOf('\n', from);
    return text.slice(from, end === -1 ? text.length : end).trim();
  };
  const first = lineAt(start);
  const isLineComment = first.startsWith('//');
  if (!isLineComment && !first.startsWith('*')) return start;
  while (start > 0) {
    const prev = lineStart(text, start - 1);
    const line = lineAt(prev);
    if (isLineComment ? !line.startsWith('//') : !(line.startsWith('*') || line.startsWith('/*')) || line.endsWith('*/')) break;
    start = prev;
    if (line.startsWith('/*')) break;
  }
  return start;
}

/**
 * Reads a section number (`3`, `3.1`, `4.2`) at `index`; returns it and where it ends.
 * @param {string} text
 * @param {number} index
 */
function readNumber(text, index) {
  let end = index;
  while (isDigit(text[end]) || (text[end] === '.' && isDigit(text[end + 1]))) end++;
  return { number: text.slice(index, end), end };
}

/**
 * @typedef {object} Citation
 * @property {number} index        where `§` is
 * @property {number} line         its 1-based line
 * @property {string[]} sections   the section numbers it names (two for a range `§5.1–5.3`)
 * @property {'named' | 'inherited' | 'bare' | 'foreign'} kind
 *   named: a document word stands right before it; inherited: it follows another citation
 *   of the same comment; bare: nothing names its document; foreign: it cites someone else's
 *   document (an RFC, OpenID Connect Core …)
 * @property {string | null} document  the docs/ file it cites (null when foreign)
 * @property {{ start: number, end: number, word: string } | null} name  the document word
 */

/**
 * Every `§` citation of a source text, with the document each one cites.
 * @param {string} text
 * @returns {Citation[]}
 */
export function findCitations(text) {
  /** @type {Citation[]} */
  const citations = [];
  let from = 0;
  for (;;) {
    const index = text.indexOf('§', from);
    if (index === -1) return citations;
    from = index + 1;
    let at = index + 1;
    while (text[at] === ' ') at++;
    const first = readNumber(text, at);
    if (first.number === '') continue;
    const sections = [first.number];
    // A range: `§5.1–5.3` or `§2.1–§2.4`.
    if (text[first.end] === '–' || text[first.end] === '-') {
      const next = text[first.end + 1] === '§' ? first.end + 2 : first.end + 1;
      const second = readNumber(text, next);
      if (second.number !== '') sections.push(second.number);
    }
    const line = text.slice(0, index).split('\n').length;
    const gapStart = skipBackOverGap(text, index);
    // `§1.1/§1.3`: the slash joins two citations of one document.
    const joined = text[gapStart - 1] === '/' && isDigit(text[gapStart - 2]);
    let wordStart = gapStart;
    while (!joined && wordStart > 0 && isNameChar(text[wordStart - 1])) wordStart--;
    const word = text.slice(wordStart, gapStart);
    const named = DOCUMENTS.get(word) ?? (word.startsWith('docs/') ? word : undefined);
    if (named !== undefined) {
      citations.push({ index, line, sections, kind: 'named', document: named, name: { start: wordStart, end: gapStart, word } });
      continue;
    }
    // A number (`RFC 6749 §2.3.1`) or a capitalised word (`Core §3.1.3.7`) names a document not ours.
    if (word !== '' && (isDigit(word[0]) || (word[0] >= 'A' && word[0] <= 'Z'))) {
      citations.push({ index, line, sections, kind: 'foreign', document: null, name: null });
      continue;
    }
    const start = commentStart(text, index);
    const previous = citations.filter((c) => c.index >= start).at(-1);
    if (previous !== undefined) {
      citations.push({ index, line, sections, kind: 'inherited', document: previous.document, name: null });
    } else {
      citations.push({ index, line, sections, kind: 'bare', document: DEFAULT_DOCUMENT, name: null });
    }
  }
}

/**
 * The section numbers each markdown file of a docs folder has as headings
 * (`## 3. Records API`, `### 3.3 Create`), keyed `docs/<file>.md`.
 * @param {string} docsDir
 * @returns {Map<string, Set<string>>}
 */
export function readDocSections(docsDir) {
  const sections = new Map();
  if (!existsSync(docsDir)) return sections;
  for (const file of readdirSync(docsDir)) {
    if (!file.endsWith('.md')) continue;
    const numbers = new Set();
    for (const line of readFileSync(join(docsDir, file), 'utf8').split('\n')) {
      if (!line.startsWith('#')) continue;
      const title = line.replace(/^#+ */, '');
      const { number } = readNumber(title, 0);
      if (number !== '') numbers.add(number);
    }
    sections.set(`docs/${file}`, numbers);
  }
  return sections;
}

/**
 * The source files under the root's src/ and test/.
 * @param {string} root
 */
export function listSourceFiles(root) {
  /** @type {string[]} */
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      if (entry === 'node_modules') continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE_EXTENSIONS.some((ext) => entry.endsWith(ext))) files.push(path);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(root, dir))) walk(join(root, dir));
  return files;
}

/**
 * Rewrites one source text: document words become docs/ paths, bare citations gain
 * `docs/api.md `, and `design.md` without a section becomes `docs/architecture.md`.
 * @param {string} text
 * @returns {{ text: string, citations: Citation[], rewritten: number }}
 */
export function rewriteText(text) {
  const citations = findCitations(text);
  /** @type {{ start: number, end: number, replacement: string }[]} */
  const edits = [];
  for (const c of citations) {
    if (c.kind === 'named' && c.name !== null && c.document !== null && c.name.word !== c.document) {
      edits.push({ start: c.name.start, end: c.name.end, replacement: c.document });
    } else if (c.kind === 'bare') {
      edits.push({ start: c.index, end: c.index, replacement: `${DEFAULT_DOCUMENT} ` });
    }
  }
  // `design.md` mentioned without a section (e.g. "(design.md)").
  for (let i = text.indexOf('design.md'); i !== -1; i = text.indexOf('design.md', i + 1)) {
    if (isNameChar(text[i - 1]) || edits.some((e) => e.start === i)) continue;
    edits.push({ start: i, end: i + 'design.md'.length, replacement: 'docs/architecture.md' });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
  return { text: out, citations, rewritten: edits.length };
}

/**
 * What is wrong with the citations of one file once rewritten: an old document name
 * still there, a citation that names no document, a section docs/ does not have.
 * @param {string} file  path shown in messages
 * @param {Citation[]} citations
 * @param {Map<string, Set<string>>} docSections
 */
export function citationProblems(file, citations, docSections) {
  const problems = [];
  for (const c of citations) {
    if (c.kind === 'foreign' || c.document === null) continue;
    const where = `${file}:${c.line}`;
    if (c.kind === 'named' && c.name !== null && c.name.word !== c.document) {
      problems.push(`${where}: "${c.name.word} §${c.sections.join('–')}" cites a document outside the repository (run scripts/cite-docs.mjs)`);
      continue;
    }
    if (c.kind === 'bare') {
      problems.push(`${where}: "§${c.sections.join('–')}" names no document (run scripts/cite-docs.mjs)`);
      continue;
    }
    const known = docSections.get(c.document);
    for (const s of c.sections) {
      if (known === undefined) problems.push(`${where}: ${c.document} §${s}: ${c.document} does not exist`);
      else if (!known.has(s)) problems.push(`${where}: ${c.document} §${s}: no heading numbered ${s} in ${c.document}`);
    }
  }
  return problems;
}

/**
 * Runs the rewrite (or, with `check`, only the checks) over a tree.
 * @param {{ root: string, check: boolean }} options
 */
export function run({ root, check }) {
  const docSections = readDocSections(join(root, 'docs'));
  let files = 0;
  let rewritten = 0;
  const foreign = [];
  const problems = [];
  for (const path of listSourceFiles(root)) {
    const rel = relative(root, path);
    const before = readFileSync(path, 'utf8');
    if (!before.includes('§') && !before.includes('design.md')) continue;
    const result = rewriteText(before);
    const after = check ? before : result.text;
    if (!check && result.rewritten > 0) {
      writeFileSync(path, after);
      files++;
      rewritten += result.rewritten;
    }
    const final = check ? result.citations : findCitations(after);
    for (const c of final) if (c.kind === 'foreign') foreign.push(`${rel}:${c.line}`);
    problems.push(...citationProblems(rel, final, docSections));
  }
  return { files, rewritten, foreign, problems };
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const rootArg = args.find((a) => a.startsWith('--root='));
  const unknown = args.filter((a) => a !== '--check' && !a.startsWith('--root='));
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown[0]}. Usage: node scripts/cite-docs.mjs [--root=DIR] [--check]`);
    process.exit(2);
  }
  const root = resolve(rootArg === undefined ? '.' : rootArg.slice('--root='.length));
  const { files, rewritten, foreign, problems } = run({ root, check });
  if (!check) console.log(`Rewrote ${rewritten} citations in ${files} files.`);
  if (foreign.length > 0) console.log(`Left alone (other documents' sections): ${foreign.join(', ')}`);
  for (const p of problems) console.log(p);
  if (problems.length > 0) {
    console.log(`${problems.length} citation(s) could not be mapped.`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();
