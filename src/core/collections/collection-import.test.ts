import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors/app-error.js';
import type { Collection } from './collection.js';
import { systemCollections } from './collection-defaults.js';
import { findImportTarget, planImport, validateImportPlan } from './collection-import.js';
import { normalizeNewCollection } from './collection-normalize.js';

const validateRule = (): string | null => null;

function storedSchema(): Collection[] {
  return [
    ...systemCollections('2024-01-01 00:00:00.000Z'),
    normalizeNewCollection({
      id: 'posts_id',
      name: 'posts',
      fields: [
        { id: 'f_title', name: 'title', type: 'text' },
        { id: 'f_body', name: 'body', type: 'editor' },
      ],
    }),
    normalizeNewCollection({ id: 'tags_id', name: 'tags' }),
  ];
}

describe('findImportTarget', () => {
  const stored = storedSchema();
  it.each([
    [{ id: 'posts_id', name: 'renamed' }, 'posts_id'],
    [{ name: 'POSTS' }, 'posts_id'],
    [{ id: 'unknown', name: 'posts' }, undefined],
    [{ name: 'nothing' }, undefined],
  ])('%j → %s', (item, id) => {
    expect(findImportTarget(stored, item)?.id).toBe(id);
  });
});

describe('planImport', () => {
  it('keeps stored fields the payload omits unless deleteMissing', () => {
    const stored = storedSchema();
    const item = { id: 'posts_id', name: 'posts', fields: [{ name: 'title', type: 'text', max: 9 }] };
    const keep = planImport(stored, [item], false).upserts[0]!.next;
    expect(keep.fields.map((f) => [f.id, f.name])).toEqual([
      ['f_title', 'title'],
      ['text3208210256', 'id'],
      ['f_body', 'body'],
    ]);
    expect(keep.fields[0]).toMatchObject({ max: 9 });
    const drop = planImport(stored, [item], true).upserts[0]!.next;
    expect(drop.fields.map((f) => f.name)).toEqual(['title', 'id']);
  });

  it('creates unknown collections and deletes missing non-system ones with deleteMissing', () => {
    const stored = storedSchema();
    const plan = planImport(stored, [{ name: 'v', type: 'view', viewQuery: 'SELECT 1' }, { name: 'news' }], true);
    expect(plan.upserts.map((u) => [u.next.name, u.old?.id])).toEqual([
      ['news', undefined],
      ['v', undefined],
    ]);
    expect(plan.deletes.map((c) => c.name).sort()).toEqual(['posts', 'tags', 'users']);
    expect(planImport(stored, [{ name: 'news' }], false).deletes).toEqual([]);
  });

  it.each([[[]], [null], [['x']]])('answers 400 for %j', (items) => {
    let caught: unknown;
    try {
      planImport(storedSchema(), items, false);
    } catch (err) {
      caught = err;
    }
    expect(isAppError(caught) && caught.status).toBe(400);
  });
});

describe('validateImportPlan', () => {
  it('accepts a consistent import', () => {
    const stored = storedSchema();
    const plan = planImport(stored, [{ name: 'posts', listRule: '' }, { name: 'news' }], false);
    expect(validateImportPlan(plan, stored, validateRule)).toBeNull();
  });

  it('names the failing collection', () => {
    const stored = storedSchema();
    const plan = planImport(stored, [{ name: 'news', fields: [{ name: 'bad-name', type: 'text' }] }], false);
    const errors = validateImportPlan(plan, stored, validateRule);
    expect(errors!.collections).toMatchObject({ code: 'validation_collections_import_failure' });
    expect((errors!.collections as { message: string }).message).toContain('"news"');
  });

  it('lets a deleted collection name be reused', () => {
    const stored = storedSchema();
    const plan = planImport(stored, [{ id: 'posts_id', name: 'posts' }, { name: 'tags', id: 'new_tags' }], true);
    expect(plan.deletes.map((c) => c.id)).toContain('tags_id');
    expect(validateImportPlan(plan, stored, validateRule)).toBeNull();
  });
});
