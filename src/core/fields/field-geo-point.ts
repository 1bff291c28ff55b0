/**
 * The `geoPoint` field type (docs/api.md §2.5): `{"lon":0,"lat":0}`, where the zero
 * point counts as blank.
 */
import type { FieldType } from './field-type.js';
import { castToString } from './field-cast.js';
import { isPlainObject } from '../../tools/is-plain-object.js';
import { checkOptionKinds, shapeField } from './field-common.js';
import { codeError } from '../../errors/code-error.js';

/** A point as stored and returned. */
export interface GeoPoint {
  lon: number;
  lat: number;
}

const keys = { required: true, help: true };

/** Any input → a point: an object with numeric `lon`/`lat` or its JSON text; anything else is the zero point. */
export function toGeoPoint(raw: unknown): GeoPoint {
  let v = raw;
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const text = castToString(v);
    if (text === '') return { lon: 0, lat: 0 };
    try {
      v = JSON.parse(text);
    } catch {
      return { lon: 0, lat: 0 };
    }
  }
  if (!isPlainObject(v)) return { lon: 0, lat: 0 };
  // Go's decoder rejects a non-number coordinate; the whole point then stays zero.
  const lon = v.lon ?? 0;
  const lat = v.lat ?? 0;
  if (typeof lon !== 'number' || typeof lat !== 'number') return { lon: 0, lat: 0 };
  return { lon, lat };
}

/** The `geoPoint` FieldType. */
export const geoPointField: FieldType = {
  type: 'geoPoint',
  withDefaults: (field) => shapeField(field, {}, keys),
  validateOptions: (field) => checkOptionKinds(field, {}, keys).result(),
  columnKind: () => 'json',
  isMultiple: () => false,
  defaultValue: () => ({ lon: 0, lat: 0 }),
  normalize: (_field, raw) => toGeoPoint(raw),
  applyModifier: () => undefined,

  validate(field, value) {
    const { lon, lat } = toGeoPoint(value);
    if (lon === 0 && lat === 0) return field.required === true ? codeError('validation_required') : null;
    if (!(lat >= -90 && lat <= 90)) return codeError('validation_invalid_latitude');
    if (!(lon >= -180 && lon <= 180)) return codeError('validation_invalid_longitude');
    return null;
  },

  fromDb: (_field, stored) => toGeoPoint(stored),
  toDb: (_field, value) => JSON.stringify(toGeoPoint(value)),
};
