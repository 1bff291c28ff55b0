/**
 * The `fields` response picker of docs/api.md §1.8: keeps only the listed keys of a JSON
 * response, with `*` wildcards and the `:excerpt(max, withEllipsis?)` modifier.
 */
import { badRequest } from '../errors/app-error.js';
import { parseBool } from './list-params.js';
import { isPlainObject } from '../tools/is-plain-object.js';
import { splitTopLevel } from '../tools/split-top-level.js';

/** A Modifier rewrites the value of a picked key (e.g. `:excerpt(200,true)`). */
export interface Modifier {
  modify(value: unknown): unknown;
}

/** Picked paths (dot separated, relative to the current level) and their modifier. */
type FieldMap = Map<string, Modifier | null>;

/** A list response of docs/api.md §1.7: pagination keys plus `items`. */
export interface ListResult {
  page: number;
  perPage: number;
  items: unknown[];
  [key: string]: unknown;
}

/** Tests whether a response body is a list result (an `items` array next to `page`/`perPage`). */
export function isListResult(value: unknown): value is ListResult {
  if (!isPlainObject(value)) return false;
  return Array.isArray(value.items) && typeof value.page === 'number' && typeof value.perPage === 'number';
}

/**
 * A FieldsPicker applies one parsed `fields` expression to response bodies. It is
 * parsed before a request is handled, so a bad expression is refused before anything
 * is written, and reused when the response is serialized.
 */
export interface FieldsPicker {
  /** A copy of a JSON value keeping only the picked keys (the value itself when nothing is picked). */
  pick(value: unknown): unknown;
  /** Like pick, inside each item of a list result; the pagination keys are kept. */
  pickList<T extends ListResult>(list: T): T;
}

/** The picker of an absent or empty `fields` parameter: every body as it is. */
export const PICK_ALL: FieldsPicker = { pick: (value) => value, pickList: (list) => list };

/** Parses a `fields` parameter into its picker; a bad modifier throws a 400 AppError. */
export function parseFieldsPicker(fieldsParam: string): FieldsPicker {
  if (fieldsParam.trim() === '') return PICK_ALL;
  const fields = parseFieldsParam(fieldsParam);
  return {
    pick(value) {
      if (value === undefined) return value;
      const copy = toPlainJson(value);
      pickValue(copy, fields);
      return copy;
    },
    pickList(list) {
      const copy = toPlainJson(list) as typeof list;
      pickValue(copy.items, fields);
      return copy;
    },
  };
}

/**
 * Returns a copy of a JSON value keeping only the keys named by a `fields` expression;
 * an empty expression returns the value as it is. A bad modifier throws a 400 AppError.
 */
export function pickFields(value: unknown, fieldsParam: string): unknown {
  return parseFieldsPicker(fieldsParam).pick(value);
}

/** Parses a `fields` expression into paths and modifiers; throws a 400 AppError on a bad modifier. */
export function parseFieldsParam(raw: string): FieldMap {
  const fields: FieldMap = new Map();
  for (const item of splitTopLevel(raw)) {
    const token = item.trim();
    if (token === '') continue;
    const colon = token.indexOf(':');
    if (colon === -1) {
      fields.set(token, null);
    } else {
      fields.set(token.slice(0, colon).trim(), parseModifier(token.slice(colon + 1)));
    }
  }
  return fields;
}


/** Parses `name(arg, …)`; only `excerpt` exists (docs/api.md §1.8). */
function parseModifier(raw: string): Modifier {
  // NOTE: trimmed first: `\s*` on both sides of an optional group is quadratic on V8.
  const match = /^(\w+)\s*(?:\(([^()]*)\))?$/.exec(raw.trim());
  if (!match) throw badRequest();
  const args = (match[2] ?? '').split(/[\s,]+/).filter((a) => a !== '');
  if (match[1] === 'excerpt') return excerptModifier(args);
  throw badRequest();
}

/** `excerpt(max, withEllipsis?)`: max must be a positive integer; withEllipsis a Go-style bool (else false). */
function excerptModifier(args: string[]): Modifier {
  if (args.length === 0 || args.length > 2) throw badRequest();
  const max = /^[+-]?\d+$/.test(args[0]) ? Number(args[0]) : 0;
  if (!Number.isSafeInteger(max) || max <= 0) throw badRequest();
  const withEllipsis = args.length > 1 ? parseBool(args[1]) === true : false;
  return {
    modify: (value) => (typeof value === 'string' ? htmlExcerpt(value, max, withEllipsis) : value),
  };
}

/** Picks in place: objects are filtered, arrays of objects are filtered item by item, anything else is left. */
function pickValue(data: unknown, fields: FieldMap): void {
  if (isPlainObject(data)) {
    pickObject(data, fields);
    return;
  }
  // Like PocketBase, only arrays whose first item is an object are descended into.
  if (Array.isArray(data) && data.length > 0 && isPlainObject(data[0])) {
    for (const item of data) {
      if (isPlainObject(item)) pickObject(item, fields);
    }
  }
}

function pickObject(obj: Record<string, unknown>, given: FieldMap): void {
  if (given.size === 0) return;
  const fields: FieldMap = new Map(given);
  if (fields.has('*')) {
    const modifier = fields.get('*') ?? null;
    // `*` adds every key of this level that no explicit path already names.
    for (const key of Object.keys(obj)) {
      if (!hasPathFor(fields, key)) fields.set(key, modifier);
    }
  }
  for (const key of Object.keys(obj)) {
    const nested: FieldMap = new Map();
    let matched = false;
    let whole = false;
    for (const [path, modifier] of fields) {
      if (!(path + '.').startsWith(key + '.')) continue;
      matched = true;
      const rest = path.slice(key.length + 1);
      if (rest === '') {
        if (modifier) obj[key] = modifier.modify(obj[key]);
        whole = true;
        break;
      }
      nested.set(rest, modifier);
    }
    if (!matched) delete obj[key];
    else if (!whole) pickValue(obj[key], nested);
  }
}

/** Whether some path is the key itself or descends into it. */
function hasPathFor(fields: FieldMap, key: string): boolean {
  for (const path of fields.keys()) {
    if ((path + '.').startsWith(key + '.')) return true;
  }
  return false;
}

/** A detached plain-JSON copy, so toJSON() methods run and picking never mutates the caller's value. */
function toPlainJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? value : JSON.parse(text);
}


// The excerpt rules follow PocketBase's: elements whose content is never text are
// dropped, block elements separate words, inline ones do not.
const EXCLUDED_TAGS = new Set([
  'head', 'title', 'style', 'script', 'noscript', 'iframe', 'embed', 'applet', 'object', 'svg', 'img', 'picture',
  'dialog', 'template', 'button', 'form', 'textarea', 'input', 'select', 'option', 'meta', 'link',
]);
const INLINE_TAGS = new Set([
  'a', 'abbr', 'acronym', 'b', 'bdo', 'big', 'br', 'button', 'cite', 'code', 'em', 'i', 'label', 'q', 'small',
  'span', 'strong', 'strike', 'sub', 'sup', 'time',
]);
const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** What a cut excerpt ends with: three ASCII dots, as PocketBase's tools/picker/excerpt_modifier.go (docs/api.md §1.8). */
export const EXCERPT_ELLIPSIS = '...';

/**
 * Returns the plain text of an HTML string, whitespace collapsed, cut to at most `max`
 * characters (code points), with EXCERPT_ELLIPSIS appended when cut and `withEllipsis`.
 */
export function htmlExcerpt(html: string, max: number, withEllipsis: boolean): string {
  let text = '';
  let prevSpace = false;
  const separate = (): void => {
    if (!prevSpace) {
      text += ' ';
      prevSpace = true;
    }
  };
  const addText = (raw: string): void => {
    // NOTE: only ASCII whitespace collapses (Go's \s), so a decoded &nbsp; survives.
    let chunk = decodeEntities(raw).replace(/[\t\n\f\r ]+/g, ' ');
    if (prevSpace) chunk = chunk.replace(/^ +/, '');
    if (chunk === '') return;
    text += chunk;
    prevSpace = chunk.endsWith(' ');
  };
  // A code point takes at most two UTF-16 units: past this length the cut is certain.
  const enough = 2 * (max + 2);
  let i = 0;
  while (i < html.length && text.length <= enough) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      addText(html.slice(i));
      break;
    }
    if (lt > i) addText(html.slice(i, lt));
    const tag = readTag(html, lt);
    if (tag === null) {
      addText('<');
      i = lt + 1;
      continue;
    }
    i = tag.end;
    if (tag.name === '') continue;
    if (!tag.closing && EXCLUDED_TAGS.has(tag.name)) {
      if (!tag.selfClosing && !VOID_TAGS.has(tag.name)) i = skipElement(html, i, tag.name);
      continue;
    }
    if (!INLINE_TAGS.has(tag.name)) separate();
  }
  let result = text.trim();
  const chars = Array.from(result);
  if (chars.length > max) {
    result = chars.slice(0, max).join('').trim();
    if (withEllipsis) result += EXCERPT_ELLIPSIS;
  }
  return result;
}

interface Tag {
  /** Lower-cased tag name; '' for comments, doctypes and processing instructions. */
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** Index just past the tag. */
  end: number;
}

/** Reads the markup starting at `<`; null when it is not a tag (a literal `<`). */
function readTag(html: string, start: number): Tag | null {
  if (html.startsWith('<!--', start)) {
    const close = html.indexOf('-->', start + 4);
    return { name: '', closing: false, selfClosing: false, end: close === -1 ? html.length : close + 3 };
  }
  const match = /^<(\/?)([a-zA-Z][^\s/>]*)|^<[!?]/.exec(html.slice(start, start + 64));
  if (!match) return null;
  // Attribute values may hold '>', so quotes are skipped over.
  let i = start + match[0].length;
  let quote = '';
  for (; i < html.length; i++) {
    const ch = html[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      break;
    }
  }
  const end = Math.min(i + 1, html.length);
  if (match[2] === undefined) return { name: '', closing: false, selfClosing: false, end };
  return { name: match[2].toLowerCase(), closing: match[1] === '/', selfClosing: html[i - 1] === '/', end };
}

/** Skips to just past the end tag of an excluded element, counting nested elements of the same name. */
function skipElement(html: string, from: number, name: string): number {
  // A scan, not `/<(\/?)name(?=[\s\/>])[^>]*>/gi`, which rescans to the end of the text
  // for every such tag left open. `name` is lower-case ASCII (one of EXCLUDED_TAGS).
  let depth = 1;
  let i = from;
  for (;;) {
    const lt = html.indexOf('<', i);
    if (lt === -1) return html.length;
    const closing = html[lt + 1] === '/';
    const at = lt + (closing ? 2 : 1);
    if (html.slice(at, at + name.length).toLowerCase() !== name || !/^[\s/>]/.test(html.slice(at + name.length, at + name.length + 1))) {
      i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', at + name.length);
    // No `>` after this tag means none after any later one either: nothing more matches.
    if (gt === -1) return html.length;
    depth += closing ? -1 : 1;
    if (depth === 0) return gt + 1;
    i = gt + 1;
  }
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}
