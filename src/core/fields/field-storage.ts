/**
 * What the DDL needs to know of field types (the FieldStorage port of
 * core/collections/schema-ddl.ts), answered from the field registry, so that db/ writes
 * tables without reaching into core/.
 */
import { badRequest } from '../../errors/app-error.js';
import type { FieldStorage } from '../collections/schema-ddl.js';
import { getFieldType } from './field-registry.js';
import { searchSpec } from '../search/search-spec.js';

/** The FieldStorage of the registered field types. */
export const fieldStorage: FieldStorage = {
  column(f) {
    const type = getFieldType(f.type);
    if (!type) throw badRequest(`Unknown field type ${f.type}.`);
    return {
      kind: type.columnKind(f),
      primaryKey: f.name === 'id' && f.primaryKey === true,
      defaultValue: type.toDb(f, type.defaultValue(f)),
    };
  },
  search: searchSpec,
};
