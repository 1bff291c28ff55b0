/**
 * The registry of field types: one FieldType per name of docs/api.md §2.5.
 */
import type { FieldTypeName } from '../collections/collection.js';
import type { FieldType } from './field-type.js';
import { autodateField } from './field-autodate.js';
import { boolField } from './field-bool.js';
import { dateField } from './field-date.js';
import { editorField } from './field-editor.js';
import { emailField } from './field-email.js';
import { fileField } from './field-file.js';
import { geoPointField } from './field-geo-point.js';
import { jsonField } from './field-json.js';
import { numberField } from './field-number.js';
import { passwordField } from './field-password.js';
import { relationField } from './field-relation.js';
import { selectField } from './field-select.js';
import { textField } from './field-text.js';
import { urlField } from './field-url.js';

const types: Record<FieldTypeName, FieldType> = {
  text: textField,
  number: numberField,
  bool: boolField,
  email: emailField,
  url: urlField,
  editor: editorField,
  date: dateField,
  autodate: autodateField,
  select: selectField,
  file: fileField,
  relation: relationField,
  json: jsonField,
  password: passwordField,
  geoPoint: geoPointField,
};

/** Every field type name, in the order of docs/api.md §2.5. */
export const fieldTypeNames: readonly FieldTypeName[] = Object.freeze(Object.keys(types) as FieldTypeName[]);

/** The FieldType of a type name, or undefined for an unknown name (case-sensitive). */
export function getFieldType(type: string): FieldType | undefined {
  return Object.hasOwn(types, type) ? types[type as FieldTypeName] : undefined;
}
