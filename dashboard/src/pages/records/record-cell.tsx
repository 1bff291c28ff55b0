/** One cell of the records table: a field's value shown by its type (docs/dashboard.md, "Records"). */
import type { CollectionField, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { htmlToText } from './html-text.js';
import { presentRecord } from './record-fields.js';

/** The file names a thumbnail is asked for (PocketBase makes thumbs of these only). */
const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

export interface RecordCellProps {
  record: RecordModel;
  field: CollectionField;
  /** The presentable fields of the related collection, for a relation field. */
  presentable?: readonly string[];
}

export function RecordCell({ record, field, presentable = [] }: RecordCellProps) {
  const value: unknown = record[field.name];
  switch (field.type) {
    case 'bool':
      return <span class={`badge${value ? ' badge-on' : ''}`}>{value ? 'true' : 'false'}</span>;
    case 'file':
      return <FileCell record={record} field={field} names={asList(value)} />;
    case 'relation': {
      const expanded: unknown = record.expand?.[field.name];
      const related = (Array.isArray(expanded) ? expanded : expanded ? [expanded] : []) as RecordModel[];
      if (related.length > 0) return <span>{related.map((r) => presentRecord(r, presentable)).join(', ')}</span>;
      return <span class="mono">{asList(value).join(', ')}</span>;
    }
    case 'editor':
      return <span>{typeof value === 'string' ? htmlToText(value) : ''}</span>;
    case 'json':
      return <span class="mono">{value === null || value === undefined ? '' : JSON.stringify(value)}</span>;
    case 'geoPoint': {
      const point = value as { lon?: number; lat?: number } | null;
      return <span class="mono">{point ? `${point.lon ?? 0}, ${point.lat ?? 0}` : ''}</span>;
    }
    default:
      if (Array.isArray(value)) return <span>{value.join(', ')}</span>;
      return <span class={field.name === 'id' ? 'mono' : undefined}>{value === null || value === undefined ? '' : String(value)}</span>;
  }
}

function FileCell({ record, field, names }: { record: RecordModel; field: CollectionField; names: string[] }) {
  if (names.length === 0) return null;
  // NOTE: protected files need a file token per request; the table shows their names instead.
  if (field.protected) return <span>{names.join(', ')}</span>;
  return (
    <span class="cell-files">
      {names.slice(0, 3).map((name) => IMAGE.test(name)
        ? <img key={name} class="cell-thumb" src={pb.files.getURL(record, name, { thumb: '100x100' })} alt={name} />
        : <span key={name} class="file-chip">{name}</span>)}
      {names.length > 3 ? <span class="muted">+{names.length - 3}</span> : null}
    </span>
  );
}

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value ? [String(value)] : [];
}
