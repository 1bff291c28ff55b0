/**
 * Validation of a collection before it is saved (docs/api.md §2.1–§2.4). Pure: the
 * caller passes the stored collections and a rule checker; errors come back as
 * the per-property map of `400 "Failed to create/update collection."`.
 */
import { badRequest, type ErrorData } from '../../errors/app-error.js';
import type { Collection, Rule } from './collection.js';
import { validateAuthOptions } from './collection-validate-auth.js';
import { validateFields } from './collection-validate-fields.js';
import { SEARCH_OVER_VALUES, validateFieldRules } from './collection-validate-field-rules.js';
import { RULE_PARSE_LIMITS } from '../rules/rule-compiler.js';
import { callsSearch } from '../rules/search-compiler.js';
import { buildIndex, findSingleColumnUniqueIndex, parseIndex, type ParsedIndex } from '../../tools/index-parse.js';
import { codeError, type CodeErrorArgs } from '../../errors/code-error.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { ErrorBag } from '../../errors/error-bag.js';

/** What collection validation looks at besides the collection itself. */
export interface CollectionValidateContext {
  /** The stored collection before this change; absent on create. */
  old?: Collection;
  /** Every stored collection; the old version of this one, or `next` itself, may be among them. */
  collections: readonly Collection[];
  /**
   * Checks a non-empty rule against the collection, reading only `collections` (every
   * collection the change leaves, this one's new version among them); returns the raw error
   * text or null.
   */
  validateRule: (collection: Collection, rule: string, collections: readonly Collection[]) => string | null;
  /** Further table names no collection may take (the database layer's own tables). */
  internalTables?: readonly string[];
}

const NAME_PATTERN = /^\w+$/;
const COLLECTION_TYPES = new Set(['base', 'auth', 'view']);
const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;
const INTERNAL_TABLES = ['_collections', '_params', '_migrations'];
/** The collection rules judged over a record being created (docs/search.md §2). */
const JUDGED_OVER_VALUES: ReadonlySet<string> = new Set(['createRule', 'manageRule']);

/**
 * Validates a collection about to be created (no `old`) or updated; returns the
 * errors or null. NOTE: a view's `fields` come from its query; the caller derives
 * them before validating, as PocketBase does, or the view fails with `fields` required.
 */
export function validateCollection(next: Collection, ctx: CollectionValidateContext): ErrorData | null {
  const bag = new ErrorBag();
  const old = ctx.old;
  // NOTE: callers may list the submitted collection itself among `collections`.
  const others = ctx.collections.filter((c) => c !== next && (!old || c.id !== old.id));

  checkId(bag, next, old, others);
  if (old && next.system !== old.system) bag.set(['system'], codeError('validation_collection_system_change'));
  checkType(bag, next, old);
  checkName(bag, next, old, others, ctx.internalTables ?? []);

  const withNext = [...others.filter((c) => c.id !== next.id), next];
  const invalidRule = (error: string) => codeError('validation_invalid_rule', undefined, `Invalid rule. Raw error: ${withStop(error)}`);
  // An import checks each item before the others are stored: its rules read them from withNext.
  const ruleError = (c: Collection, rule: string) => ctx.validateRule(c, rule, withNext);
  const fieldsError = validateFields(next, { old, collections: withNext }) ?? validateFieldRules(next, ruleError, invalidRule);
  if (fieldsError) bag.set(['fields'], fieldsError);

  const checkRule = (rule: Rule, path: string[], oldRule: Rule | undefined): void => {
    if (typeof rule === 'string' && rule !== '') {
      // A createRule (and a manageRule, on a create) is judged over the submitted values, which
      // no full-text index holds (docs/search.md §2).
      const overValues = path.length === 1 && JUDGED_OVER_VALUES.has(path[0]!);
      const error = ruleError(next, rule) ?? (overValues && callsSearch(rule, RULE_PARSE_LIMITS) ? SEARCH_OVER_VALUES : null);
      if (error !== null) {
        bag.set(path, invalidRule(error));
        return;
      }
    }
    if (old?.system && oldRule !== undefined && rule !== oldRule) {
      bag.set(path, codeError('validation_collection_system_change'));
    }
  };
  for (const key of RULE_KEYS) {
    if (next.type === 'view' && key !== 'listRule' && key !== 'viewRule' && next[key] !== null) {
      bag.set([key], codeError('validation_nil'));
      continue;
    }
    checkRule(next[key], [key], old ? old[key] : undefined);
  }

  checkIndexes(bag, next, old, others);
  if (next.type === 'view' && (typeof next.viewQuery !== 'string' || next.viewQuery.trim() === '')) {
    bag.set(['viewQuery'], codeError('validation_required'));
  }
  if (next.type === 'auth') validateAuthOptions(next, old?.type === 'auth' ? old : undefined, bag, checkRule);

  return bag.isEmpty() ? null : bag.data;
}

function withStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

function checkId(bag: ErrorBag, next: Collection, old: Collection | undefined, others: readonly Collection[]): void {
  const id = next.id;
  if (typeof id !== 'string' || id === '') return bag.set(['id'], codeError('validation_required'));
  if (old) {
    if (id !== old.id) bag.set(['id'], codeError('validation_values_mismatch'));
    return;
  }
  if ([...id].length > 100) return bag.set(['id'], codeError('validation_length_out_of_range', { min: 1, max: 100 }));
  if (!NAME_PATTERN.test(id)) return bag.set(['id'], codeError('validation_match_invalid'));
  // NOTE: ids name storage folders too, so clashes are checked case-insensitively.
  const lower = id.toLowerCase();
  if (others.some((c) => c.id.toLowerCase() === lower)) bag.set(['id'], codeError('validation_invalid_or_existing_id'));
}

function checkType(bag: ErrorBag, next: Collection, old: Collection | undefined): void {
  const type: string = next.type;
  if (typeof type !== 'string' || type === '') return bag.set(['type'], codeError('validation_required'));
  if (!COLLECTION_TYPES.has(type)) return bag.set(['type'], codeError('validation_in_invalid'));
  if (old && next.type !== old.type) bag.set(['type'], codeError('validation_collection_type_change'));
}

function checkName(
  bag: ErrorBag,
  next: Collection,
  old: Collection | undefined,
  others: readonly Collection[],
  internal: readonly string[],
): void {
  const name = next.name;
  const set = <C extends ErrorCode>(code: C, ...args: CodeErrorArgs<C>): void => bag.set(['name'], codeError(code, ...args));
  if (typeof name !== 'string' || name === '') return set('validation_required');
  if ([...name].length > 255) return set('validation_length_out_of_range', { min: 1, max: 255 });
  const lower = name.toLowerCase();
  if (lower.includes('_via_')) return set('validation_found_via');
  if (!NAME_PATTERN.test(name)) return set('validation_match_invalid');
  if (old?.system && name !== old.name) return set('validation_collection_name_system');
  if (others.some((c) => c.name.toLowerCase() === lower)) return set('validation_collection_name_exists');
  if (others.some((c) => c.id === name && c.id !== next.id)) return set('validation_collection_name_id_duplicate');
  // `__proto__`, as for fields (collection-validate-fields.ts): no JSON body could name it.
  const reserved = [...INTERNAL_TABLES, ...internal].some((t) => t.toLowerCase() === lower) || lower.startsWith('sqlite_') || lower === '__proto__';
  if (reserved && (!old || old.name.toLowerCase() !== lower)) set('validation_collection_name_invalid');
}

function checkIndexes(bag: ErrorBag, next: Collection, old: Collection | undefined, others: readonly Collection[]): void {
  const indexes = Array.isArray(next.indexes) ? next.indexes : [];
  if (next.type === 'view') {
    if (indexes.length > 0) bag.set(['indexes'], codeError('validation_indexes_not_supported'));
    return;
  }
  const usedElsewhere = new Set<string>();
  for (const c of others) {
    if (c.id === next.id) continue;
    for (const sql of c.indexes ?? []) {
      const parsed = parseIndex(sql);
      if (parsed) usedElsewhere.add(parsed.name.toLowerCase());
    }
  }
  const fieldNames = new Set(next.fields.map((f) => String(f.name).toLowerCase()));
  const names = new Set<string>();
  const definitions = new Set<string>();
  for (const [i, sql] of indexes.entries()) {
    const at = <C extends ErrorCode>(code: C, ...args: CodeErrorArgs<C>): void => bag.set(['indexes', String(i)], codeError(code, ...args));
    const parsed = parseIndex(sql);
    if (!parsed) return at('validation_invalid_index_expression');
    const lower = parsed.name.toLowerCase();
    if (names.has(lower) || usedElsewhere.has(lower)) return at('validation_index_duplicate');
    names.add(lower);
    const definition = buildIndex({ ...parsed, name: 'x', ifNotExists: false }, 'x');
    if (definitions.has(definition)) return at('validation_duplicated_index_definition');
    definitions.add(definition);
    const unknown = parsed.columns.find((col) => !fieldNames.has(col.name.toLowerCase()));
    if (unknown) return at('validation_invalid_index_column', { column: unknown.name });
  }

  const lost = old ? lostSystemUniqueIndex(old, indexes) : null;
  if (lost) return bag.set(['indexes'], codeError('validation_invalid_unique_system_field_index', { fieldName: lost }));
  if (next.type === 'auth') {
    for (const fieldName of ['tokenKey', 'email']) {
      if (!findSingleColumnUniqueIndex(indexes, fieldName)) {
        return bag.set(['indexes'], codeError('validation_missing_required_unique_index', { fieldName }));
      }
    }
  }
}

/** The system field whose UNIQUE index of `old` has no equivalent (same columns) in `indexes`, if any. */
function lostSystemUniqueIndex(old: Collection, indexes: readonly string[]): string | null {
  const shape = (p: ParsedIndex): string =>
    buildIndex({ ...p, name: 'x', ifNotExists: false, where: '', columns: p.columns.map((c) => ({ name: c.name.toLowerCase() })) }, 'x');
  const current = new Set(indexes.map(parseIndex).filter((p): p is ParsedIndex => p !== null && p.unique).map(shape));
  for (const sql of old.indexes) {
    const parsed = parseIndex(sql);
    if (!parsed?.unique) continue;
    const system = old.fields.find(
      (f) => f.system && parsed.columns.some((c) => c.name.toLowerCase() === f.name.toLowerCase()),
    );
    if (system && !current.has(shape(parsed))) return system.name;
  }
  return null;
}

/**
 * Throws a 400 with `message` and the errors unless `next` is valid among `all` (the
 * stored collections, or the schema an import is building).
 */
export function assertValidCollection(
  next: Collection, old: Collection | undefined, all: readonly Collection[],
  validateRule: CollectionValidateContext['validateRule'], message: string,
): void {
  // NOTE: only the old version of this collection is left out: another one with the
  // submitted id must stay visible so a clash is reported as a validation error.
  const collections = [...all.filter((c) => c !== next && (!old || c.id !== old.id)), next];
  const errors = validateCollection(next, { old, collections, validateRule });
  if (errors) throw badRequest(message, errors);
}
