/**
 * A file field's input: the stored files with thumbnails (`?thumb=100x100`) and a Remove
 * button each, and new files with local previews, for one or several files (docs/dashboard.md,
 * "Records"). The form turns the result into `field`, `field+` and `field-` (record-body.ts).
 */
import { useEffect, useId, useMemo } from 'preact/hooks';
import type { CollectionField, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';

/** What the user made of a file field: the stored names to keep and the new files. */
export interface FileChoice {
  kept: string[];
  added: File[];
}

export interface FileInputProps {
  field: CollectionField;
  record: RecordModel | null;
  value: FileChoice;
  onValue: (value: FileChoice) => void;
  error?: string;
}

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

export function FileInput({ field, record, value, onValue, error }: FileInputProps) {
  const id = useId();
  const max = Math.max(1, Number(field.maxSelect ?? 1));
  const multiple = max > 1;
  const previews = useMemo(() => value.added.map((file) => (file.type.startsWith('image/') ? URL.createObjectURL(file) : '')), [value.added]);
  useEffect(() => () => previews.forEach((url) => url && URL.revokeObjectURL(url)), [previews]);

  const add = (files: FileList | null): void => {
    if (!files || files.length === 0) return;
    const chosen = Array.from(files);
    // A single-file field replaces its file; a multiple one appends.
    onValue(multiple ? { kept: value.kept, added: [...value.added, ...chosen] } : { kept: [], added: chosen.slice(0, 1) });
  };
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={id}>{field.name}</label>
      <ul class="file-list">
        {value.kept.map((name) => (
          <li key={name}>
            {record && IMAGE.test(name) && !field.protected
              ? <img class="file-thumb" src={pb.files.getURL(record, name, { thumb: '100x100' })} alt="" />
              : <span class="file-thumb file-thumb-none" aria-hidden="true">{extension(name)}</span>}
            {record ? <a href={pb.files.getURL(record, name)} target="_blank" rel="noopener noreferrer">{name}</a> : <span>{name}</span>}
            <button type="button" class="button button-ghost" aria-label={`Remove ${name}`} onClick={() => onValue({ ...value, kept: value.kept.filter((n) => n !== name) })}>Remove</button>
          </li>
        ))}
        {value.added.map((file, i) => (
          <li key={`new-${i}-${file.name}`}>
            {previews[i] ? <img class="file-thumb" src={previews[i]} alt="" /> : <span class="file-thumb file-thumb-none" aria-hidden="true">{extension(file.name)}</span>}
            <span>{file.name} <span class="muted">(new)</span></span>
            <button type="button" class="button button-ghost" aria-label={`Remove ${file.name}`} onClick={() => onValue({ ...value, added: value.added.filter((_, j) => j !== i) })}>Remove</button>
          </li>
        ))}
      </ul>
      <input id={id} type="file" multiple={multiple} aria-describedby={error ? `${id}-error` : undefined}
        accept={Array.isArray(field.mimeTypes) && field.mimeTypes.length > 0 ? field.mimeTypes.join(',') : undefined}
        onChange={(e) => {
          add(e.currentTarget.files);
          e.currentTarget.value = '';
        }} />
      {multiple ? <p class="field-help">Up to {max} files.</p> : null}
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
    </div>
  );
}

/** A file's extension in capitals (`TXT`), shown where there is no thumbnail. */
function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1, dot + 5).toUpperCase() : 'FILE';
}
