import { describe, expect, it } from 'vitest';
import type { Collection, Field } from '../collections/collection.js';
import { bodySchema, multipartSchema, recordSchema } from './openapi-record-schemas.js';

const field = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({ id: name, name, type, system: false, hidden: false, presentable: false, ...extra });

const posts: Collection = {
  id: 'pbc_1', name: 'posts', type: 'base', system: false, listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '',
  indexes: [], created: '', updated: '',
  fields: [
    field('id', 'text', { required: true, primaryKey: true, autogeneratePattern: '[a-z0-9]{15}' }),
    field('title', 'text', { required: true }),
    field('secret', 'text', { hidden: true }),
    field('staffOnly', 'text', { readRule: null, writeRule: null }),
    field('mine', 'text', { readRule: 'owner = @request.auth.id' }),
    field('doc', 'file', { writeRule: null }),
  ],
};

describe('record schemas', () => {
  it('leave hidden fields and fields whose own rule is null out of a guest document', () => {
    const guest = recordSchema(posts, 'guest') as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(guest.properties)).toEqual(['collectionId', 'collectionName', 'id', 'title', 'mine', 'doc', 'expand']);
    // A field its own read rule may hide is not required.
    expect(guest.required).toEqual(['collectionId', 'collectionName', 'id', 'title', 'doc']);
    const sup = recordSchema(posts, 'superuser') as { properties: Record<string, unknown> };
    expect(Object.keys(sup.properties)).toContain('secret');
    expect(Object.keys(sup.properties)).toContain('staffOnly');
  });

  it('leave fields a guest may not write out of its bodies', () => {
    const create = bodySchema(posts, 'guest', 'create') as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(create.properties)).toEqual(['id', 'title', 'mine']);
    expect(create.required).toEqual(['title']);
    expect(multipartSchema(posts, 'guest', 'create')).toBeUndefined();
    expect(multipartSchema(posts, 'superuser', 'update')).toBeDefined();
    expect(Object.keys((bodySchema(posts, 'superuser', 'update') as { properties: object }).properties)).not.toContain('id');
  });
});
