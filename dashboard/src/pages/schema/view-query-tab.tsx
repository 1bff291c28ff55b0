/**
 * A view collection's SQL query and its preview through `POST /api/collections/meta/dry-run-view`
 * (docs/api.md §2): the fields the query gives and up to 10 of its rows, without saving anything.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { TextArea } from './option-inputs.js';
import type { Json } from './schema-draft.js';

/** What dry-run-view answers. NOTE: the SDK types it as an array; the documented body is this object. */
interface DryRun {
  fields: Json[];
  sample: Json[];
}

export interface ViewQueryTabProps {
  query: string;
  onChange: (query: string) => void;
  error?: string;
}

/** The longest query the server takes (docs/api.md §2). */
const MAX_QUERY = 5000;

export function ViewQueryTab({ query, onChange, error }: ViewQueryTabProps) {
  const [preview, setPreview] = useState<DryRun | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (): Promise<void> => {
    setBusy(true);
    setPreviewError(null);
    try {
      setPreview((await pb.collections.dryRunViewQuery(query, { requestKey: 'dry-run-view' })) as unknown as DryRun);
    } catch (err) {
      const found = formErrors(err);
      // A newer preview cancelled this one: nothing to report.
      if (!found.form) return;
      setPreview(null);
      setPreviewError(found.fields.query ?? found.form);
    } finally {
      setBusy(false);
    }
  };
  const columns = preview?.fields.map((f) => String(f.name)) ?? [];
  return (
    <div class="form">
      <TextArea label="Select query" code rows={8} value={query} onValue={onChange} error={error}
        help={`One SELECT with an id column and no *; at most ${MAX_QUERY} characters. The fields are derived from it.`} />
      <div><Button busy={busy} disabled={!query.trim()} onClick={() => void run()}>Preview</Button></div>
      {previewError ? <p class="form-error" role="alert">{previewError}</p> : null}
      {preview ? (
        <section aria-label="Query preview">
          <p class="muted">Fields: {preview.fields.map((f) => `${String(f.name)} (${String(f.type)})`).join(', ')}</p>
          {preview.sample.length === 0 ? <p class="muted">The query returns no rows.</p> : (
            <div class="table-scroll">
              <table class="data-table">
                <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
                <tbody>
                  {preview.sample.map((row, i) => (
                    <tr key={i}>{columns.map((c) => <td key={c}>{cell(row[c])}</td>)}</tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </div>
  );
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
