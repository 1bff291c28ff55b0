/**
 * `#/import-collections` (docs/dashboard.md, "Collections editor"): export every collection as
 * JSON, and import such a file — reviewed first, with the "delete missing" option.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { navigate } from '../../router.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { FormField } from '../../components/form-field.js';
import { PageHeader } from '../../components/page-header.js';
import { CollectionsList } from '../collections/collections-list.js';
import { downloadJson } from './download-json.js';
import { parseImport, planImport, type ImportPlan } from './import-plan.js';
import { TextArea } from './option-inputs.js';
import { schemaErrors } from './schema-errors.js';
import type { Json } from './schema-draft.js';

/** The largest file read into the box (a schema export is far smaller). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export default function ImportExportPage() {
  const [collections, setCollections] = useState<CollectionModel[] | null>(null);
  const [text, setText] = useState('');
  const [deleteMissing, setDeleteMissing] = useState(false);
  const [review, setReview] = useState<{ items: Json[]; plan: ImportPlan } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [details, setDetails] = useState<string[]>([]);

  const load = (): Promise<void> => pb.collections.getFullList({ sort: 'name', requestKey: 'io-collections' }).then(setCollections);
  useEffect(() => {
    load().catch((err: unknown) => {
      const message = formErrors(err).form;
      if (message) setError(message);
    });
  }, []);

  const readFile = (file: File | undefined): void => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) return setError('The file is larger than 5 MB.');
    file.text().then(setText, () => setError('The file cannot be read.'));
  };
  const reviewImport = (): void => {
    setError(null);
    setDetails([]);
    try {
      const items = parseImport(text);
      setReview({ items, plan: planImport(items, (collections ?? []) as Json[], deleteMissing) });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const runImport = async (): Promise<void> => {
    if (!review) return;
    try {
      await pb.collections.import(review.items as CollectionModel[], deleteMissing);
      toast('Collections imported');
      setReview(null);
      setText('');
      await load();
    } catch (err) {
      const found = schemaErrors(err);
      setError(found.form ?? 'The import failed.');
      setDetails(Object.entries(found.paths).map(([path, message]) => `${path}: ${message}`));
    }
  };

  const plan = review?.plan;
  return (
    <div class="split">
      <CollectionsList collections={collections} />
      <section class="split-main">
        <PageHeader title="Import and export collections">
          <Button variant="ghost" onClick={() => navigate('/collections')}>Back</Button>
        </PageHeader>
        <section class="option-section" aria-labelledby="export-title">
          <h2 id="export-title">Export</h2>
          <p class="muted">Every collection's schema as JSON, to import into another Plinth or PocketBase.</p>
          <Button disabled={!collections} onClick={() => downloadJson('collections.json', collections)}>Download collections.json</Button>
        </section>
        <section class="option-section form" aria-labelledby="import-title">
          <h2 id="import-title">Import</h2>
          <FormField label="Load a JSON file" render={(ids) => (
            <input {...ids} type="file" accept="application/json,.json" onChange={(e) => readFile(e.currentTarget.files?.[0])} />
          )} />
          <TextArea label="Collections JSON" code rows={12} value={text} onValue={(v) => { setText(v); setReview(null); }} />
          <Checkbox label="Delete missing" checked={deleteMissing} onChecked={(v) => { setDeleteMissing(v); setReview(null); }}
            help="Deletes the collections, and the fields of imported collections, that the JSON does not list (system ones stay)." />
          {error ? <p class="form-error" role="alert">{error}</p> : null}
          {details.length ? <ul class="error-list">{details.map((d) => <li key={d}>{d}</li>)}</ul> : null}
          <div><Button variant="primary" disabled={!text.trim()} onClick={reviewImport}>Review import</Button></div>
        </section>
        <ConfirmDialog open={review !== null} onClose={() => setReview(null)} onConfirm={runImport} title="Import collections?"
          confirmLabel="Import"
          message={plan ? [
            plan.added.length ? `New: ${plan.added.join(', ')}.` : '',
            plan.changed.length ? `Changed: ${plan.changed.join(', ')}.` : '',
            plan.deleted.length ? `Deleted with their records: ${plan.deleted.join(', ')}.` : '',
          ].filter(Boolean).join(' ') : ''} />
      </section>
    </div>
  );
}
