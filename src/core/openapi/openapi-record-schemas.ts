/**
 * The component schemas of one collection (docs/openapi.md): its record as answered,
 * its create and update bodies (JSON and multipart) and its list page.
 */
import type { Collection, Field } from '../collections/collection.js';
import { mayBeLeftOut } from '../collections/field-rules.js';
import { fieldInputSchema, fieldValueSchema, fileUploadSchema, isRequiredOnCreate } from './openapi-field-schema.js';
import type { DocumentViewer, JsonSchema } from './openapi-types.js';

/** The component names of a collection's schemas. */
export function schemaNames(c: Collection): { record: string; create: string; update: string; list: string; auth: string } {
  const base = c.name;
  return { record: `${base}Record`, create: `${base}Create`, update: `${base}Update`, list: `${base}List`, auth: `${base}AuthResponse` };
}

/** A `$ref` to a component schema. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * Fields a viewer's document shows: hidden ones only to superusers (docs/api.md §2.3),
 * and, of fields with their own rules, one whose `rule` is null (superusers only) neither.
 * An auth collection's password is hidden but sent by anyone who signs up or changes theirs,
 * as the records API takes it; it is never answered (isNeverAnswered).
 */
function visibleFields(c: Collection, viewer: DocumentViewer, rule: 'readRule' | 'writeRule' = 'readRule'): Field[] {
  const shown = (f: Field) => f.hidden !== true || (c.type === 'auth' && f.type === 'password');
  return c.fields.filter((f) => viewer === 'superuser' || (shown(f) && f[rule] !== null));
}


/** Fields never answered, whoever asks: passwords, and an auth record's tokenKey (docs/api.md §3.6). */
function isNeverAnswered(c: Collection, f: Field): boolean {
  return f.type === 'password' || (c.type === 'auth' && f.name === 'tokenKey');
}

/** The schema of a record of `c` as the records API answers it. */
export function recordSchema(c: Collection, viewer: DocumentViewer): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    collectionId: { type: 'string', const: c.id },
    collectionName: { type: 'string', const: c.name },
  };
  const required = ['collectionId', 'collectionName'];
  for (const f of visibleFields(c, viewer)) {
    if (isNeverAnswered(c, f)) continue;
    const schema = fieldValueSchema(f);
    if (!schema) continue;
    properties[f.name] = schema;
    // An auth record's email is left out unless it is visible to the requester (docs/api.md §3.6);
    // a sign-in answers its record as that record sees itself, even in a superuser's document.
    if (!(c.type === 'auth' && f.name === 'email') && !mayBeLeftOut(f)) required.push(f.name);
  }
  properties.expand = { type: 'object', additionalProperties: true, description: 'Related records asked for with `expand`.' };
  return { type: 'object', title: `${c.name} record`, properties, required };
}

/** The JSON body of a create (`create`) or an update (`update`) of a record of `c`. */
export function bodySchema(c: Collection, viewer: DocumentViewer, action: 'create' | 'update'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of visibleFields(c, viewer, 'writeRule')) {
    if (c.type === 'auth' && f.name === 'tokenKey') continue;
    // An id is chosen on create only (docs/api.md §1.5).
    if (action === 'update' && f.name === 'id') continue;
    let schema = fieldInputSchema(f);
    if (!schema) continue;
    // Only a manager sets `verified` (docs/api.md §3.3): a superuser, or whom the manageRule allows.
    if (c.type === 'auth' && f.name === 'verified' && viewer !== 'superuser') {
      if (c.manageRule === null) continue;
      schema = { ...schema, description: 'Only for a requester the collection\'s manageRule allows; anyone else gets a 400.' };
    }
    properties[f.name] = schema;
    if (action === 'create' && isRequiredOnCreate(f)) required.push(f.name);
  }
  if (c.type === 'auth') {
    // The auth keys that are not stored (docs/api.md §3.7).
    properties.passwordConfirm = { type: 'string', writeOnly: true };
    if (action === 'create') required.push('passwordConfirm');
    else properties.oldPassword = { type: 'string', writeOnly: true, description: 'The current password, to change it without managing the record.' };
  }
  const description = 'Unknown keys are ignored. Number, select, relation and file fields also take the modifiers `name+`, `+name` and `name-` (docs/api.md §2.5).';
  return required.length > 0 ? { type: 'object', properties, required, description } : { type: 'object', properties, description };
}

/** The multipart body of a write, for a collection with file fields; undefined when it has none. */
export function multipartSchema(c: Collection, viewer: DocumentViewer, action: 'create' | 'update'): JsonSchema | undefined {
  const files = visibleFields(c, viewer, 'writeRule').filter((f) => f.type === 'file');
  if (files.length === 0) return undefined;
  const json = bodySchema(c, viewer, action);
  const properties: Record<string, JsonSchema> = { ...(json.properties as Record<string, JsonSchema>) };
  for (const f of files) properties[f.name] = fileUploadSchema(f);
  properties['@jsonPayload'] = { type: 'string', description: 'A JSON object merged over the other keys without type inference.' };
  return { ...json, properties };
}

/** The schema of a list page of `c` (docs/api.md §1.7). */
export function listSchema(c: Collection): JsonSchema {
  return {
    type: 'object',
    properties: {
      page: { type: 'integer' },
      perPage: { type: 'integer' },
      totalItems: { type: 'integer', description: '-1 with skipTotal or cursor.' },
      totalPages: { type: 'integer', description: '-1 with skipTotal or cursor.' },
      items: { type: 'array', items: ref(schemaNames(c).record) },
      nextCursor: { type: ['string', 'null'], description: 'With cursor: the cursor of the next page, null after the last one.' },
    },
    required: ['page', 'perPage', 'totalItems', 'totalPages', 'items'],
  };
}
