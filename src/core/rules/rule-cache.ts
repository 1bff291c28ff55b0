/**
 * Compiled API rules and client filters, reused across requests that would compile them the same way.
 * A rule's SQL depends on the schema, the compile options and the request values it
 * reads; for rules that read only the signed-in record's own fields, the method and
 * the context, those make a small key, and a request with the same key gets the same
 * condition (with the same bound values) without compiling again.
 */
import type { FilterNode, Operand } from '../../filter/ast.js';
import { parseFilterCached } from '../../filter/filter-cache.js';
import { Lru } from '../../tools/lru.js';
import type { Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import type { CompileOptions } from './compile-context.js';
import type { RequestInfo } from './request-info.js';
import { isDatetimeMacro } from './datetime-macros.js';
import { PLAIN_AUTH_FIELDS } from './request-values.js';

/** What the cache hands back: whatever the compiler produced for a rule. */
type Compiled = object;

/** Requests per rule whose compiled form is kept (one per signed-in record, mostly). */
const PER_RULE = 2_000;

interface CollectionRules {
  /** The schema version the entries were compiled under. */
  version: number;
  /** Per rule text: compiled forms by request key, or null when the rule reads other request values. */
  rules: Map<string, Lru<string, Compiled> | null>;
}

/** How much a RuleCache holds per collection. */
export interface RuleCacheBounds {
  /** Texts kept per collection; past it, the collection's entries start afresh (default: no bound). */
  maxTexts?: number;
  /** Request keys kept per text (default PER_RULE). */
  perText?: number;
}

/** A RuleCache keeps compiled rules per collection, rule text and request key. */
export class RuleCache<T extends Compiled> {
  private readonly byCollection = new WeakMap<Collection, CollectionRules>();

  constructor(private readonly schema: Schema, private readonly parseLimits: { maxLength?: number }, private readonly bounds: RuleCacheBounds = {}) {}

  /**
   * The compiled rule for these options, from the cache or from `compile`; what `compile`
   * returns is kept unless `keep` (asked after it) says no.
   */
  get(text: string, opts: CompileOptions, compile: () => T, keep: () => boolean = () => true): T {
    const version = this.schema.version;
    let entry = this.byCollection.get(opts.collection);
    if (!entry || entry.version !== version) {
      entry = { version, rules: new Map() };
      this.byCollection.set(opts.collection, entry);
    }
    let byRequest = entry.rules.get(text);
    if (byRequest === undefined) {
      byRequest = cacheable(parseFilterCached(text, this.parseLimits)) ? new Lru(this.bounds.perText ?? PER_RULE) : null;
      // Client filters are texts of the client's choosing: a bounded number per collection.
      if (this.bounds.maxTexts !== undefined && entry.rules.size >= this.bounds.maxTexts) entry.rules.clear();
      entry.rules.set(text, byRequest);
    }
    if (byRequest === null) return compile();
    const key = requestKey(opts);
    const hit = byRequest.get(key);
    if (hit) return hit as T;
    const compiled = compile();
    if (keep()) byRequest.set(key, compiled);
    return compiled;
  }
}

/**
 * A key naming everything the SQL compiled from `rules` (rule mode) and `filters` (client
 * filters), with `others` (e.g. a sort) and these options, depends on: the schema version, the
 * collection, the requester as requestKey reads it and the texts. Null when one text reads
 * request values that move (see cacheable) or does not parse (its compilation reports that).
 */
export function compiledShapeKey(
  schema: Schema, opts: CompileOptions,
  parts: { rules: readonly (string | null)[]; ruleLimits: { maxLength: number }; filters: readonly string[]; others: readonly string[] },
): string | null {
  try {
    for (const rule of parts.rules) if (rule !== null && rule.trim() !== '' && !plainNode(parseFilterCached(rule, parts.ruleLimits))) return null;
    for (const filter of parts.filters) if (filter.trim() !== '' && !plainNode(parseFilterCached(filter, {}))) return null;
  } catch {
    return null;
  }
  // NOTE: JSON, not joined text: a text holding the separator must not make two shapes one key.
  return JSON.stringify([schema.version, opts.collection.id, requestKey(opts), parts.rules, parts.filters, parts.others]);
}

/**
 * Whether a condition compiles from its own text and requestKey alone: it names only the
 * row's own fields and the signed-in record's own values, and calls no function. NOTE: a
 * relation path or `@collection` joins other collections, whose listRules (and fields'
 * readRules) are compiled into the condition and may read any request value or the clock;
 * a function may read the clock (`strftime('%Y', 'now')`).
 */
function plainNode(node: FilterNode): boolean {
  if (node.kind === 'logical') return node.items.every(plainNode);
  return plainOperand(node.left) && plainOperand(node.right);
}

function plainOperand(op: Operand): boolean {
  if (op.kind === 'function' || op.kind === 'placeholder') return false;
  if (op.kind !== 'identifier') return true;
  if (op.name.startsWith('@request.auth.')) return PLAIN_AUTH_FIELDS.has(op.name.slice('@request.auth.'.length));
  return isPlainName(op.name);
}

/** Whether a name is a field of the row itself: letters, digits and underscores only (no path, macro or modifier). */
export function isPlainName(name: string): boolean {
  if (name === '') return false;
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    const ok = (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95;
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether a rule's compiled form depends on nothing of the request beyond requestKey:
 * no datetime macros (their value moves), no body, query or headers values.
 */
export function cacheable(node: FilterNode): boolean {
  if (node.kind === 'logical') return node.items.every(cacheable);
  return operandCacheable(node.left) && operandCacheable(node.right);
}

function operandCacheable(op: Operand): boolean {
  if (op.kind === 'function') return op.args.every(operandCacheable);
  if (op.kind === 'placeholder') return false;
  if (op.kind !== 'identifier' || !op.name.startsWith('@')) return true;
  const name = op.name;
  return name.startsWith('@collection.') || name.startsWith('@request.auth.')
    || name === '@request.method' || name === '@request.context';
}

/** Everything of the options and the request that a cacheable rule's compilation reads. */
function requestKey(opts: CompileOptions): string {
  const req: RequestInfo = opts.request;
  const auth = req.auth
    ? [req.auth.collection.id, req.auth.record.id, req.auth.record.email, req.auth.record.emailVisibility, req.auth.record.verified].map(String).join('\u0000')
    : '-';
  return [opts.mode, opts.rootAlias, req.isSuperuser ? '1' : '0', req.method, req.context, auth].join('\u0001');
}

/** Whether a filter compares only names and literals: no function call, no datetime macro. */
export function boundOnly(node: FilterNode): boolean {
  if (node.kind === 'logical') return node.items.every(boundOnly);
  const operand = (op: Operand): boolean => op.kind !== 'function' && op.kind !== 'placeholder' && !(op.kind === 'identifier' && isDatetimeMacro(op.name.split(':')[0]!));
  return operand(node.left) && operand(node.right);
}
