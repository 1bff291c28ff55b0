import { describe, expect, it } from 'vitest';
import type { Collection, Field } from '../collections/collection.js';
import { serializeRecord } from './record-serialize.js';

const field = (name: string, type: string, hidden = false): Field => ({ id: `${type}_${name}`, name, type, system: false, hidden, presentable: false }) as Field;

function view(fields: Field[], viewEmailGuards?: Collection['viewEmailGuards']): Collection {
  return {
    id: 'pbc_v', name: 'v', type: 'view', system: false, listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
    fields, indexes: [], created: '', updated: '', viewQuery: 'SELECT 1', viewEmailGuards,
  };
}

const guest = { showHidden: false, showEmail: false };
const superuser = { showHidden: true, showEmail: true };

describe('serializeRecord', () => {
  it('never writes a password or tokenKey column of a view, not even for superusers', () => {
    // A view saved before `SELECT *` was refused holds them as json columns.
    const c = view([field('id', 'text'), field('password', 'json'), field('tokenKey', 'json'), field('hash', 'password')]);
    const values = { id: 'a', password: '$argon2id$…', tokenKey: 'k', hash: '$argon2id$…' };
    expect(serializeRecord(c, values, superuser)).toEqual({ collectionId: 'pbc_v', collectionName: 'v', id: 'a' });
  });

  it('shows a view\'s copied email by its visibility column, to superusers always', () => {
    const c = view([field('id', 'text'), field('mail', 'email'), field('vis', 'bool'), field('bare', 'email')], {
      mail: { visibility: 'vis', ownerId: 'id', ownerCollectionId: 'pbc_users' },
      bare: { visibility: null, ownerId: null, ownerCollectionId: 'pbc_users' },
    });
    const shown = { id: 'a', mail: 'a@x.com', vis: true, bare: 'a@x.com' };
    const hidden = { id: 'b', mail: 'b@x.com', vis: false, bare: 'b@x.com' };
    expect(serializeRecord(c, shown, guest)).toMatchObject({ mail: 'a@x.com' });
    expect(serializeRecord(c, shown, guest)).not.toHaveProperty('bare');
    expect(serializeRecord(c, hidden, guest)).not.toHaveProperty('mail');
    expect(serializeRecord(c, hidden, superuser)).toMatchObject({ mail: 'b@x.com', bare: 'b@x.com' });
  });
});
