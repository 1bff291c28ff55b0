/**
 * Expands relations in record JSON (docs/api.md §3.8): relation fields and
 * back-relations (`posts_via_author`), nested to 6 levels, each related record
 * filtered by its collection's viewRule for the requester. Forbidden or
 * unresolvable paths are skipped silently, never an error; an expand over its
 * budget (expand-budget.ts) is a 400.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { findSingleColumnUniqueIndex } from '../../tools/index-parse.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import { ExpandBudget, estimateJsonSize, type ExpandWeight } from './expand-budget.js';
import { findBackRelated } from './record-expand-fetch.js';
import { findRecords, rowToValues, type RecordValues } from './record-store.js';
import { serializeRecord } from './record-serialize.js';
import { omitDenied, type FieldReadRules } from './field-read-rules.js';

/** A record being serialized: its values and the JSON that will be sent. */
export interface ExpandItem {
  values: RecordValues;
  json: Record<string, unknown>;
  /** The fields the requester may not read (docs/field-rules.md); their relations are not expanded either. */
  denied?: ReadonlySet<string>;
}

/** A tree of expand paths: `{ author: {}, comments_via_post: { user: {} } }`. */
export type ExpandTree = Map<string, ExpandTree>;

const MAX_BACK_RELATIONS = 1000;

/** Builds the tree of expand paths from parsed paths like `comments_via_post.user`. */
export function expandTree(paths: readonly string[]): ExpandTree {
  const root: ExpandTree = new Map();
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.').slice(0, 6)) {
      if (!segment) break;
      let child = node.get(segment);
      if (!child) node.set(segment, (child = new Map()));
      node = child;
    }
  }
  return root;
}

/** One expand key resolved against a collection: where it leads and how it is read. */
type Link =
  | { kind: 'relation'; field: Field; target: Collection; multiple: boolean }
  | { kind: 'back'; field: Field; target: Collection; multipleField: boolean; single: boolean };

/** The state of one expand: its request, budget and how many records each item carries. */
interface ExpandRun {
  exec: Executor;
  req: RequestInfo;
  budget: ExpandBudget;
  /** Per expanded item: what writing it out costs, with everything nested under it. */
  weights: Map<ExpandItem, ExpandWeight>;
  /** Runs the requester's enrich hooks on freshly serialized items (none bound: undefined). */
  enrich?: ExpandEnrich;
}

/** Lets app code change the JSON of serialized items for one requester (onRecordEnrich). */
export type ExpandEnrich = (c: Collection, items: ExpandItem[]) => Promise<void>;

/** Expander fills `expand` on record JSON. */
export class Expander {
  constructor(
    private readonly schema: Schema, private readonly access: RecordAccess, private readonly dialect: Dialect,
    private readonly fieldReads?: FieldReadRules,
  ) {}

  /**
   * Adds `expand` to each item for the paths of `tree`; throws ExpandTooLargeError (400)
   * when the response would pass the expand budget.
   */
  async expand(exec: Executor, c: Collection, items: ExpandItem[], tree: ExpandTree, req: RequestInfo, enrich?: ExpandEnrich): Promise<void> {
    if (items.length === 0 || tree.size === 0) return;
    const run: ExpandRun = { exec, req: { ...req, context: 'expand' }, budget: new ExpandBudget(), weights: new Map(), enrich };
    await this.expandLevel(run, c, items, tree);
  }

  /**
   * Expands one level for all its items at once (a bounded number of queries per key,
   * whatever the number of items), nested levels first, then places the related records.
   */
  private async expandLevel(run: ExpandRun, c: Collection, items: ExpandItem[], tree: ExpandTree): Promise<void> {
    for (const item of items) item.json.expand ??= {};
    const placed: ExpandWeight = { records: 0, bytes: 0 };
    for (const [key, subtree] of tree) {
      const link = this.resolve(c, key, run.req);
      if (!link) continue;
      const children = link.kind === 'relation' ? await this.relationChildren(run, link, items) : await this.backChildren(run, link, items);
      if (children.size === 0) continue;
      const distinct = new Set<ExpandItem>();
      for (const list of children.values()) for (const child of list) distinct.add(child);
      await this.expandLevel(run, link.target, [...distinct], subtree);
      const many = link.kind === 'relation' ? link.multiple : !link.single;
      for (const [parent, list] of children) {
        const chosen = many ? list : [list[list.length - 1]!];
        const added: ExpandWeight = { records: 0, bytes: key.length + 4 };
        for (const child of chosen) {
          const w = run.weights.get(child)!;
          added.records += w.records;
          added.bytes += w.bytes + 1;
        }
        placed.records += added.records;
        placed.bytes += added.bytes;
        // SECURITY: checked while placing, before any parent carries more than the budget.
        run.budget.placed(placed);
        const own = run.weights.get(parent);
        if (own) run.weights.set(parent, { records: own.records + added.records, bytes: own.bytes + added.bytes });
        (parent.json.expand as Record<string, unknown>)[key] = many ? chosen.map((x) => x.json) : chosen[0]!.json;
      }
    }
  }

  /** What an expand key names for this request, or undefined when it is skipped silently. */
  private resolve(c: Collection, key: string, req: RequestInfo): Link | undefined {
    const field = c.fields.find((f) => f.name === key && f.type === 'relation');
    if (field) {
      // SECURITY: a hidden relation's value is not shown to non-superusers, so neither is what
      // it points to; PocketBase's filter resolver refuses the same path ("non-filterable field").
      if (field.hidden && !req.isSuperuser) return undefined;
      const target = this.schema.find(String(field.collectionId));
      if (!target || (target.viewRule === null && !req.isSuperuser)) return undefined;
      return { kind: 'relation', field, target, multiple: getFieldType('relation')!.isMultiple(field) };
    }
    if (!key.includes('_via_')) return undefined;
    const [collectionName, fieldName] = key.split('_via_') as [string, string];
    const target = this.schema.find(collectionName);
    const back = target?.fields.find((f) => f.name === fieldName && f.type === 'relation' && f.collectionId === c.id);
    if (!target || !back || (target.viewRule === null && !req.isSuperuser)) return undefined;
    // SECURITY: `x_via_f` reads `f` of every x; a hidden `f` stays the superusers' (as in
    // PocketBase's filter resolver, "non-filterable back relation field").
    if (back.hidden && !req.isSuperuser) return undefined;
    const multipleField = getFieldType('relation')!.isMultiple(back);
    const single = !multipleField && findSingleColumnUniqueIndex(target.indexes, back.name) !== undefined;
    return { kind: 'back', field: back, target, multipleField, single };
  }

  /** The records each item's relation field names, in the field's order, read in chunked `IN` queries. */
  private async relationChildren(run: ExpandRun, link: Extract<Link, { kind: 'relation' }>, items: ExpandItem[]): Promise<Map<ExpandItem, ExpandItem[]>> {
    // SECURITY: a relation the requester may not read is not expanded (docs/field-rules.md).
    const readable = items.filter((i) => !i.denied?.has(link.field.name));
    const ids = [...new Set(readable.flatMap((i) => idsOf(i.values[link.field.name])))];
    run.budget.read(ids.length);
    const cond = this.access.condition(link.target, link.target.viewRule, run.req) ?? undefined;
    const records = await findRecords(run.exec, link.target, ids, cond);
    const related = new Map<string, ExpandItem>();
    for (const item of await this.items(run, link.target, records)) related.set(String(item.values.id), item);
    const out = new Map<ExpandItem, ExpandItem[]>();
    for (const item of readable) {
      const found = idsOf(item.values[link.field.name]).map((id) => related.get(id)).filter((x) => x !== undefined);
      if (found.length > 0) out.set(item, found);
    }
    return out;
  }

  /** The records whose relation field names each item, at most MAX_BACK_RELATIONS per item. */
  private async backChildren(run: ExpandRun, link: Extract<Link, { kind: 'back' }>, items: ExpandItem[]): Promise<Map<ExpandItem, ExpandItem[]>> {
    const byId = new Map(items.map((i) => [String(i.values.id), i]));
    const condition = await this.backCondition(run, link);
    if (condition === false) return new Map();
    const query = { target: link.target, field: link.field, multiple: link.multipleField, condition, perParent: MAX_BACK_RELATIONS };
    // One more row than the budget allows shows that it is passed, without reading the rest.
    const found = await findBackRelated(run.exec, this.dialect, query, [...byId.keys()], run.budget.readsLeft() + 1);
    run.budget.read(found.length);
    const records = new Map<string, RecordValues>();
    for (const f of found) if (f.row && !records.has(f.id)) records.set(f.id, rowToValues(link.target, f.row));
    const unread = [...new Set(found.filter((f) => !f.row).map((f) => f.id))];
    for (const values of await findRecords(run.exec, link.target, unread)) records.set(String(values.id), values);
    const related = new Map<string, ExpandItem>();
    for (const item of await this.items(run, link.target, [...records.values()])) related.set(String(item.values.id), item);
    const out = new Map<ExpandItem, ExpandItem[]>();
    // A multiple field may name the same parent twice; the record is listed once.
    const seen = new Set<string>();
    for (const { parent, id } of found) {
      const child = related.get(id);
      // A record deleted between the two reads is left out.
      if (!child) continue;
      if (link.multipleField) {
        const pair = `${parent}\u0000${id}`;
        if (seen.has(pair)) continue;
        seen.add(pair);
      }
      const item = byId.get(parent)!;
      let list = out.get(item);
      if (!list) out.set(item, (list = []));
      list.push(child);
    }
    return out;
  }

  /**
   * The condition a back-related record must meet: the target's viewRule, and the readRule
   * of the back field, which `x_via_f` reads (docs/field-rules.md); false when no record may.
   */
  private async backCondition(run: ExpandRun, link: Extract<Link, { kind: 'back' }>): Promise<RawBuilder<boolean> | null | false> {
    const viewRule = this.access.condition(link.target, link.target.viewRule, run.req);
    const plan = this.fieldReads ? await this.fieldReads.plan(run.exec, link.target, run.req) : null;
    if (!plan) return viewRule;
    if (plan.denied.has(link.field.name)) return false;
    const read = plan.perRow.find((f) => f.name === link.field.name)?.condition;
    if (!read) return viewRule;
    return viewRule ? sql<boolean>`(${viewRule}) AND (${read})` : read;
  }

  /** Serializes expanded records with the visibility rules of a direct read (docs/api.md §3.6, docs/field-rules.md), and weighs them. */
  private async items(run: ExpandRun, c: Collection, records: RecordValues[]): Promise<ExpandItem[]> {
    const shown = await this.access.showsEmails(run.exec, c, records, run.req);
    const denied = this.fieldReads ? await this.fieldReads.deniedFor(run.exec, c, records, run.req) : [];
    const items = records.map((values, i): ExpandItem => {
      const json = serializeRecord(c, values, { showHidden: run.req.isSuperuser, showEmail: shown[i]! });
      omitDenied(json, denied[i]);
      return { values, json, denied: denied[i] };
    });
    if (run.enrich) await run.enrich(c, items);
    for (const item of items) run.weights.set(item, { records: 1, bytes: estimateJsonSize(item.json) + 12 });
    return items;
  }
}

function idsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}
