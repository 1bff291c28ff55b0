/**
 * Expands relations in record JSON (spec §3.8): relation fields and
 * back-relations (`posts_via_author`), nested to 6 levels, each related record
 * filtered by its collection's viewRule for the requester. Forbidden or
 * unresolvable paths are skipped silently, never an error.
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { findSingleColumnUniqueIndex } from '../collections/index-parse.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import { findRecords, rootTable, rowToValues, type RecordValues } from './record-store.js';
import { serializeRecord } from './record-serialize.js';

/** A record being serialized: its values and the JSON that will be sent. */
export interface ExpandItem {
  values: RecordValues;
  json: Record<string, unknown>;
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

/** Expander fills `expand` on record JSON. */
export class Expander {
  constructor(private readonly schema: Schema, private readonly access: RecordAccess, private readonly dialect: Dialect) {}

  /** Adds `expand` to each item for the paths of `tree`. */
  async expand(exec: Executor, c: Collection, items: ExpandItem[], tree: ExpandTree, req: RequestInfo): Promise<void> {
    if (items.length === 0 || tree.size === 0) return;
    const expandReq: RequestInfo = { ...req, context: 'expand' };
    for (const item of items) item.json.expand ??= {};
    for (const [key, subtree] of tree) {
      const field = c.fields.find((f) => f.name === key && f.type === 'relation');
      if (field) await this.expandRelation(exec, field, key, items, subtree, expandReq);
      else if (key.includes('_via_')) await this.expandBackRelation(exec, c, key, items, subtree, expandReq);
    }
  }

  private async expandRelation(exec: Executor, field: Field, key: string, items: ExpandItem[], subtree: ExpandTree, req: RequestInfo): Promise<void> {
    const target = this.schema.find(String(field.collectionId));
    if (!target || (target.viewRule === null && !req.isSuperuser)) return;
    const ids = [...new Set(items.flatMap((i) => idsOf(i.values[field.name])))];
    const related = await this.load(exec, target, ids, req);
    if (related.size === 0) return;
    await this.expand(exec, target, [...related.values()], subtree, req);
    const multiple = getFieldType('relation')!.isMultiple(field);
    for (const item of items) {
      const found = idsOf(item.values[field.name]).map((id) => related.get(id)?.json).filter((j) => j !== undefined);
      if (found.length === 0) continue;
      (item.json.expand as Record<string, unknown>)[key] = multiple ? found : found[found.length - 1];
    }
  }

  private async expandBackRelation(exec: Executor, c: Collection, key: string, items: ExpandItem[], subtree: ExpandTree, req: RequestInfo): Promise<void> {
    const [collectionName, fieldName] = key.split('_via_') as [string, string];
    const target = this.schema.find(collectionName);
    const field = target?.fields.find((f) => f.name === fieldName && f.type === 'relation' && f.collectionId === c.id);
    if (!target || !field || (target.viewRule === null && !req.isSuperuser)) return;
    const multipleField = getFieldType('relation')!.isMultiple(field);
    const single = !multipleField && findSingleColumnUniqueIndex(target.indexes, field.name) !== undefined;
    const cond = this.access.condition(target, target.viewRule, req);
    for (const item of items) {
      const id = String(item.values.id);
      const match = multipleField
        ? this.dialect.jsonArrayContains(sql`root.${sql.ref(field.name)}`, sql`${id}`)
        : sql`root.${sql.ref(field.name)} = ${id}`;
      const where = cond ? sql`${match} AND (${cond})` : match;
      const { rows } = await sql<Record<string, unknown>>`SELECT root.* FROM ${rootTable(target)} WHERE ${where} LIMIT ${MAX_BACK_RELATIONS}`.execute(exec);
      if (rows.length === 0) continue;
      const related = await Promise.all(rows.map((row) => this.item(exec, target, rowToValues(target, row), req)));
      await this.expand(exec, target, related, subtree, req);
      (item.json.expand as Record<string, unknown>)[key] = single ? related[0]!.json : related.map((r) => r.json);
    }
  }

  /** Loads the related records the request may view, by id. */
  private async load(exec: Executor, c: Collection, ids: string[], req: RequestInfo): Promise<Map<string, ExpandItem>> {
    const cond = this.access.condition(c, c.viewRule, req) ?? undefined;
    const records = await findRecords(exec, c, ids, cond);
    const out = new Map<string, ExpandItem>();
    for (const v of records) out.set(String(v.id), await this.item(exec, c, v, req));
    return out;
  }

  /** Serializes an expanded record with the visibility rules of a direct read (spec §3.6). */
  private async item(exec: Executor, c: Collection, values: RecordValues, req: RequestInfo): Promise<ExpandItem> {
    const showEmail = await this.access.showsEmail(exec, c, values, req);
    return { values, json: serializeRecord(c, values, { showHidden: req.isSuperuser, showEmail }) };
  }
}

function idsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}
