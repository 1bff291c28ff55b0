/**
 * The body size limit of a record create/update (docs/api.md §1.1): the default limit
 * plus, per field, what the field itself may hold — file `maxSize × maxSelect`,
 * editor `maxSize`, json `maxSize` (each with its default when 0).
 */
import type { Collection } from '../collections/collection.js';
import { numOpt } from '../fields/field-common.js';
import { defaultEditorMaxSize } from '../fields/field-editor.js';
import { fileMaxSize } from '../fields/field-file.js';
import { defaultJsonMaxSize } from '../fields/field-json.js';
import { effectiveMaxSelect } from '../fields/field-multi.js';

/** The largest record body accepted for `c`, given the server's default `base` limit. */
export function recordBodyLimit(c: Collection, base: number): number {
  let limit = base;
  for (const f of c.fields) {
    if (f.type === 'file') limit += fileMaxSize(f) * effectiveMaxSelect(f);
    else if (f.type === 'editor') limit += numOpt(f, 'maxSize') > 0 ? numOpt(f, 'maxSize') : defaultEditorMaxSize;
    else if (f.type === 'json') limit += numOpt(f, 'maxSize') > 0 ? numOpt(f, 'maxSize') : defaultJsonMaxSize;
  }
  return Math.min(limit, Number.MAX_SAFE_INTEGER);
}
