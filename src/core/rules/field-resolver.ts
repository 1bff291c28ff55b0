/**
 * The FieldResolver turns a name in a filter into SQL (docs/api.md §4.2, §4.3): a
 * column of the root row, a column reached through relation joins, a json path,
 * or a bound `@request.*` value. It follows PocketBase's record field resolver
 * step by step so that the same names mean the same thing.
 */
import { sql, type RawBuilder } from 'kysely';
import { FilterError } from '../../filter/filter-error.js';
import { findField, type Collection, type Field } from '../collections/collection.js';
import { emailGuardOf } from '../collections/email-visibility.js';
import { fieldRuleOf } from '../collections/field-rules.js';
import { findSingleColumnUniqueIndex } from '../../tools/index-parse.js';
import type { CompileState, Resolved } from './compile-context.js';
import { equal } from './compare.js';
import { joinHop, valueSubquery, type Hop } from './path-joins.js';
import { isAllowedName, splitVia } from './field-names.js';
import { bindableRequestValue, lookupRequest, PLAIN_AUTH_FIELDS, toIdList, toList, toText } from './request-values.js';

/** The most relation hops one path may take (docs/api.md §4.2). */
export const MAX_RELATION_HOPS = 6;

const MODIFIERS = new Set(['isset', 'each', 'length', 'lower', 'changed']);
const MULTI_VALUER_TYPES = new Set(['select', 'file', 'relation']);

/** Where a path walk stands: the current row's collection and alias, and how it got there. */
interface Walk {
  collection: Collection;
  alias: string;
  key: string;
  hops: readonly Hop[];
  multi: boolean;
  allowHidden: boolean;
  nullifyMissing: boolean;
}

/** Whether a relation/select/file field holds a JSON array (maxSelect > 1). */
export function isMultipleField(field: Field): boolean {
  return MULTI_VALUER_TYPES.has(field.type) && Number(field.maxSelect ?? 0) > 1;
}

/** A constant SQL operand; `text` is always one of our own fixed strings, never input. */
export function literalOperand(text: string): Resolved {
  return { build: () => sql.raw(text), literal: text, values: [], nullFallback: 'auto', column: false };
}

/** A FieldResolver resolves the identifiers of one compilation. */
export class FieldResolver {
  constructor(private readonly state: CompileState) {}

  /** Resolves an identifier; throws a FilterError naming what could not be resolved. */
  resolve(name: string): Resolved {
    if (!isAllowedName(name)) throw new FilterError(`failed to resolve field "${name}"`);
    const props = name.split('.');
    if (props.some((p) => p === '')) throw new FilterError(`failed to resolve field "${name}"`);
    if (props[0] === '@collection') return this.collectionField(name, props);
    if (props[0] === '@request') return this.requestField(name, props);
    const restricted = this.state.restricted;
    return this.walkProps(this.rootWalk(!restricted, false), props);
  }

  private get base(): Collection {
    return this.state.options.collection;
  }

  private rootWalk(allowHidden: boolean, nullifyMissing: boolean): Walk {
    return { collection: this.base, alias: this.state.root, key: '', hops: [], multi: false, allowHidden, nullifyMissing };
  }

  private loadCollection(nameOrId: unknown): Collection | undefined {
    if (typeof nameOrId !== 'string' || nameOrId === '') return undefined;
    if (nameOrId === this.base.name || nameOrId === this.base.id) return this.base;
    return this.state.schema.find(nameOrId);
  }

  private step(walk: Walk, hop: Hop, makesMulti: boolean): Walk {
    const key = `${walk.key}>${hop.key}`;
    const alias = this.state.join(key, () => joinHop(this.state, hop, walk.alias));
    const target = hop.kind === 'each' || hop.kind === 'bodyEach' ? walk.collection : hop.target;
    return { ...walk, collection: target, alias, key, hops: [...walk.hops, hop], multi: walk.multi || makesMulti };
  }

  /** An operand reading `value(alias)` at the end of a walk, with its value list when multi-valued. */
  private columnOperand(walk: Walk, value: (alias: string) => RawBuilder<unknown>, extra: Partial<Resolved> = {}): Resolved {
    const { alias, hops } = walk;
    return {
      build: () => value(alias),
      values: [],
      nullFallback: 'auto',
      column: true,
      multi: walk.multi ? () => valueSubquery(this.state, hops, value) : undefined,
      ...extra,
    };
  }

  private missing(walk: Walk, reason: string): Resolved {
    if (walk.nullifyMissing) return literalOperand('NULL');
    throw new FilterError(reason);
  }

  private walkProps(start: Walk, props: readonly string[]): Resolved {
    let walk = start;
    for (let i = 0; i < props.length; i++) {
      const prop = props[i]!;
      if (i === props.length - 1) return this.lastProp(walk, prop);
      const field = findField(walk.collection, prop);
      if (field?.hidden && !walk.allowHidden) throw new FilterError(`non-filterable field "${prop}"`);
      if (field && (field.type === 'json' || field.type === 'geoPoint')) return this.jsonPath(walk, field, props.slice(i + 1));
      if (field) this.assertNotReadGuarded(walk, field);
      if (i >= MAX_RELATION_HOPS) throw new FilterError(`max nested relations reached for field "${prop}"`);
      if (!field) {
        const next = this.backRelation(walk, prop);
        if (!next) return literalOperand('NULL');
        walk = next;
        continue;
      }
      if (field.type !== 'relation') throw new FilterError(`field "${prop}" is not a valid relation`);
      const target = this.loadCollection(field.collectionId);
      if (!target) throw new FilterError(`failed to load field "${prop}" collection`);
      const multiple = isMultipleField(field);
      // `author.id` is the `author` column itself: no join needed.
      if (!multiple && i === props.length - 2 && props[i + 1] === 'id') return this.lastProp(walk, field.name);
      walk = this.step(walk, { kind: 'rel', key: `rel:${field.name}`, field, target, multiple }, multiple);
    }
    throw new FilterError('failed to resolve field path');
  }

  /** A `<collection>_via_<field>` step, or null when a missing part resolves to NULL. */
  private backRelation(walk: Walk, prop: string): Walk | null {
    const m = splitVia(prop);
    const fail = (reason: string): null => {
      if (walk.nullifyMissing) return null;
      throw new FilterError(reason);
    };
    if (!m) return fail(`failed to resolve field "${prop}"`);
    const back = this.loadCollection(m[0]);
    if (!back) return fail(`failed to load back relation field "${prop}" collection`);
    const field = findField(back, m[1]);
    if (!field) return fail(`missing back relation field "${m[1]}"`);
    if (field.type !== 'relation') return fail(`invalid back relation field "${m[1]}"`);
    if (field.hidden && !walk.allowHidden) throw new FilterError(`non-filterable back relation field "${field.name}"`);
    this.assertNotReadGuarded(walk, field);
    if (field.collectionId !== walk.collection.id) return fail(`invalid collection reference of a back relation field "${field.name}"`);
    const multiple = isMultipleField(field) || !findSingleColumnUniqueIndex(back.indexes, field.name);
    return this.step(walk, { kind: 'back', key: `via:${back.id}.${field.name}`, field, target: back, multiple }, multiple);
  }

  private lastProp(walk: Walk, prop: string): Resolved {
    const { name, modifier } = splitModifier(prop);
    if (modifier === 'changed') throw new FilterError(`modifier ":changed" applies only to @request.body fields`);
    const field = findField(walk.collection, name);
    if (!field) return this.missing(walk, `unknown field "${name}"`);
    if (field.hidden && !walk.allowHidden) throw new FilterError(`non-filterable field "${name}"`);
    const d = this.state.dialect;
    // SECURITY: an auth email a non-superuser may not see reads as NULL wherever the
    // column is read — joins, "all"-values subqueries, function arguments, sort keys —
    // so no consumer can forget the guard and turn comparisons into an oracle.
    const visible = bothGuards(this.emailVisibleCondition(walk.collection, field.name), this.readGuard(walk, field));
    const col = visible
      ? (alias: string) => sql`(CASE WHEN ${visible(alias)} THEN ${sql.id(alias, field.name)} END)`
      : (alias: string) => sql`${sql.id(alias, field.name)}`;
    const multiValuer = MULTI_VALUER_TYPES.has(field.type);
    if (modifier === 'length' && multiValuer) return this.columnOperand(walk, (a) => d.jsonArrayLength(col(a)), { kind: 'numberExpr' });
    if (modifier === 'each' && multiValuer) {
      this.assertNotReadGuarded(walk, field);
      const each = this.step(walk, { kind: 'each', key: `each:${field.name}`, field }, isMultipleField(field));
      return this.columnOperand(each, (a) => sql`${sql.id(a, 'value')}`, { kind: 'json' });
    }
    const json = field.type === 'json';
    const lower = modifier === 'lower';
    const value = (a: string) => {
      const v = json ? d.jsonExtract(col(a), []) : col(a);
      return lower ? d.lower(v) : v;
    };
    const extra: Partial<Resolved> = json ? { nullFallback: 'disabled', kind: 'json' } : {};
    // NOTE: kinds follow SQLite's affinity rules (db/dialect/dialect.ts ValueKind).
    if (lower) extra.kind = 'textExpr';
    else if (field.type === 'number' || field.type === 'bool') extra.kind = field.type;
    // As in PocketBase, a comparison with a guarded email is false where the email is
    // not visible (`email = ""` does not match a hidden one), not only NULL-valued.
    if (visible) extra.afterBuild = (cond) => sql<boolean>`(${cond} AND ${visible(walk.alias)})`;
    return this.columnOperand(walk, value, extra);
  }

  /**
   * For a non-superuser's filter or sort, the condition under which an email column
   * may be read on a row alias: the row made it visible, or the row is the requester's
   * own record (docs/api.md §3.1 step 4); null when the column needs no guard.
   */
  private emailVisibleCondition(c: Collection, name: string): ((alias: string) => RawBuilder<boolean>) | null {
    if (!this.state.restricted) return null;
    const guard = emailGuardOf(c, name);
    if (!guard) return null;
    const auth = this.state.options.request.auth;
    const ownerId = auth && guard.ownerId && auth.collection.id === guard.ownerCollectionId ? String(auth.record.id ?? '') : null;
    const d = this.state.dialect;
    return (alias) => {
      const parts: RawBuilder<boolean>[] = [];
      if (guard.visibility) parts.push(sql<boolean>`${sql.id(alias, guard.visibility)} = TRUE`);
      if (ownerId !== null) parts.push(sql<boolean>`${sql.id(alias, guard.ownerId!)} = ${d.param(ownerId)}`);
      return parts.length === 0 ? sql<boolean>`1=0` : sql<boolean>`(${sql.join(parts, sql` OR `)})`;
    };
  }

  /**
   * For a restricted filter or sort, the condition under which `field` may be read on a row
   * alias (its readRule, docs/field-rules.md), or null when it has none; a readRule of null
   * makes the field non-filterable, as a hidden one is.
   */
  private readGuard(walk: Walk, field: Field): ((alias: string) => RawBuilder<boolean>) | null {
    if (walk.allowHidden) return null;
    const rule = fieldRuleOf(field, 'readRule');
    if (rule === undefined) return null;
    if (rule === null) throw new FilterError(`non-filterable field "${field.name}"`);
    const on = this.state.readRuleOn;
    // SECURITY: without the compiler's callback nothing can be checked: the field reads as NULL.
    return (alias) => (on ? on(walk.collection, field, alias) ?? sql<boolean>`1=1` : sql<boolean>`1=0`);
  }

  /**
   * Refuses, for a restricted filter, a path that reads a field with a readRule as a whole
   * (a relation hop, `:each`, a back-relation): its values would be matched row by row
   * before the rule could hide them (docs/field-rules.md).
   */
  private assertNotReadGuarded(walk: Walk, field: Field): void {
    if (!walk.allowHidden && fieldRuleOf(field, 'readRule') !== undefined) throw new FilterError(`non-filterable field "${field.name}"`);
  }

  private jsonPath(walk: Walk, field: Field, rest: readonly string[]): Resolved {
    const last = splitModifier(rest[rest.length - 1]!);
    if (last.modifier !== '' && last.modifier !== 'lower') throw new FilterError(`unsupported modifier ":${last.modifier}" on a json path`);
    const keys = [...rest.slice(0, -1), last.name];
    if (keys.some((k) => !/^\w+$/.test(k))) throw new FilterError(`invalid json path of field "${field.name}"`);
    const path = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    const d = this.state.dialect;
    const guard = this.readGuard(walk, field);
    const col = (a: string) => guard ? sql`(CASE WHEN ${guard(a)} THEN ${sql.id(a, field.name)} END)` : sql`${sql.id(a, field.name)}`;
    const value = (a: string) => {
      const v = d.jsonExtract(col(a), path);
      return last.modifier === 'lower' ? d.lower(v) : v;
    };
    const extra: Partial<Resolved> = { nullFallback: 'disabled', kind: last.modifier === 'lower' ? 'textExpr' : 'json' };
    if (guard) extra.afterBuild = (cond) => sql<boolean>`(${cond} AND ${guard(walk.alias)})`;
    return this.columnOperand(walk, value, extra);
  }

  private collectionField(name: string, props: readonly string[]): Resolved {
    if (props.length < 3) throw new FilterError(`invalid @collection field path in "${name}"`);
    const [nameOrId, alias] = props[1]!.split(':', 2) as [string, string | undefined];
    const target = this.loadCollection(nameOrId);
    if (!target) throw new FilterError(`failed to load collection "${props[1]}" from field path "${name}"`);
    const key = alias ? `@collection-alias:${alias}` : `@collection:${target.id}`;
    const walk = this.step(this.rootWalk(true, false), { kind: 'collection', key, target }, true);
    return this.walkProps(walk, props.slice(2));
  }

  private requestField(name: string, props: readonly string[]): Resolved {
    if (name.startsWith('@request.auth.')) return this.authField(props);
    if (name.startsWith('@request.body.') && props.length > 2) {
      const { name: key, modifier } = splitModifier(props[2]!);
      const field = findField(this.base, key);
      if (field) {
        if (field.type === 'relation' && props.length > 3) return this.bodyRelation(field, props);
        if (props.length === 3 && modifier !== '' && modifier !== 'isset') return this.bodyModifier(field, modifier);
      }
    }
    return this.staticValue(props.slice(1));
  }

  private authField(props: readonly string[]): Resolved {
    const auth = this.state.options.request.auth;
    if (!auth) return literalOperand('NULL');
    if (props.length === 3 && PLAIN_AUTH_FIELDS.has(props[2]!)) return this.staticValue(props.slice(1));
    const target = auth.collection;
    const hop: Hop = { kind: 'auth', key: `auth:${target.id}`, target, id: String(auth.record.id ?? '') };
    return this.walkProps(this.step(this.rootWalk(true, true), hop, false), props.slice(2));
  }

  private bodyRelation(field: Field, props: readonly string[]): Resolved {
    const target = this.loadCollection(field.collectionId);
    if (!target) throw new FilterError(`failed to load collection of data field "${field.name}"`);
    const ids = toIdList(this.state.options.request.body[field.name]);
    if (ids.length === 0) return literalOperand('NULL');
    const multiple = isMultipleField(field);
    const walk = this.step(this.rootWalk(true, true), { kind: 'bodyRel', key: `body:${field.name}`, target, ids }, multiple);
    return this.walkProps(walk, props.slice(3));
  }

  private bodyModifier(field: Field, modifier: string): Resolved {
    const body = this.state.options.request.body;
    if (modifier === 'lower') return this.paramOperand(toText(body[field.name]), true);
    if (modifier === 'changed') return this.bodyChanged(field);
    if (!MULTI_VALUER_TYPES.has(field.type)) throw new FilterError(`field "${field.name}" doesn't support multivalue operations`);
    const items = toList(body[field.name]);
    if (modifier === 'length') return literalOperand(String(items.length));
    const hop: Hop = { kind: 'bodyEach', key: `bodyEach:${field.name}`, json: JSON.stringify(items) };
    const walk = this.step(this.rootWalk(true, true), hop, isMultipleField(field));
    return this.columnOperand(walk, (a) => sql`${sql.id(a, 'value')}`, { column: false, kind: 'json' });
  }

  /** `@request.body.f:changed` ≡ `(@request.body.f:isset = true && @request.body.f != f)` (docs/api.md §4.3). */
  private bodyChanged(field: Field): Resolved {
    if (!Object.hasOwn(this.state.options.request.body, field.name)) return literalOperand('FALSE');
    const submitted = this.staticValue(['body', field.name]);
    const stored = this.lastProp(this.rootWalk(true, false), field.name);
    const differs = equal(this.state, false, submitted, stored);
    return { build: () => sql`(${differs})`, values: [], nullFallback: 'auto', column: false };
  }

  private staticValue(path: readonly string[]): Resolved {
    const { name, modifier } = splitModifier(path[path.length - 1]!);
    if (modifier === 'changed') throw new FilterError(`modifier ":changed" applies only to @request.body collection fields`);
    const lookup = lookupRequest(this.state.options.request, [...path.slice(0, -1), name]);
    if (modifier === 'isset') return literalOperand(lookup.found ? 'TRUE' : 'FALSE');
    const value = lookup.found ? bindableRequestValue(lookup.value, this.base, name) : undefined;
    if (value === undefined) return literalOperand('NULL');
    return this.paramOperand(value, modifier === 'lower');
  }

  private paramOperand(value: unknown, lower: boolean): Resolved {
    const d = this.state.dialect;
    return {
      build: (map) => {
        const p = d.param(map ? map(value) : value);
        return lower ? d.lower(p) : p;
      },
      values: [value],
      nullFallback: 'auto',
      column: false,
      kind: lower ? 'textExpr' : undefined,
    };
  }
}

/** Two read guards as one (either may be absent). */
function bothGuards(
  a: ((alias: string) => RawBuilder<boolean>) | null, b: ((alias: string) => RawBuilder<boolean>) | null,
): ((alias: string) => RawBuilder<boolean>) | null {
  if (!a || !b) return a ?? b;
  return (alias) => sql<boolean>`(${a(alias)} AND ${b(alias)})`;
}

/** Splits `name:modifier`; an unknown modifier is an error, more than one colon is part of the name. */
function splitModifier(prop: string): { name: string; modifier: string } {
  const parts = prop.split(':');
  if (parts.length !== 2) return { name: prop, modifier: '' };
  if (!MODIFIERS.has(parts[1]!)) throw new FilterError(`unknown modifier in "${prop}"`);
  return { name: parts[0]!, modifier: parts[1]! };
}
