/** The header actions of a stored collection: export its JSON, truncate it (not views), delete it (not system ones). */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import { toast } from '../../toast.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { downloadJson } from './download-json.js';
import type { Draft } from './schema-draft.js';

export function SchemaActions({ collection, onDeleted }: { collection: Draft; onDeleted: () => void }) {
  const [asking, setAsking] = useState<'truncate' | 'delete' | null>(null);
  const name = collection.name;
  const exportOne = async (): Promise<void> => {
    try {
      downloadJson(`${name}.json`, [await pb.collections.getOne(collection.id!, { requestKey: null })]);
    } catch (err) {
      toast(formErrors(err).form ?? 'Export failed.', 'error');
    }
  };
  const run = async (): Promise<void> => {
    try {
      if (asking === 'truncate') {
        await pb.collections.truncate(collection.id!);
        toast(`Deleted every record of ${name}`);
      } else {
        await pb.collections.delete(collection.id!);
        toast(`Deleted ${name}`);
        onDeleted();
      }
    } catch (err) {
      toast(formErrors(err).form ?? 'The action failed.', 'error');
    }
  };
  return (
    <>
      <Button variant="ghost" onClick={() => void exportOne()}>Export JSON</Button>
      {collection.type !== 'view' ? <Button variant="secondary" onClick={() => setAsking('truncate')}>Truncate</Button> : null}
      {!collection.system ? <Button variant="danger" onClick={() => setAsking('delete')}>Delete collection</Button> : null}
      <ConfirmDialog open={asking !== null} onClose={() => setAsking(null)} onConfirm={run}
        title={asking === 'truncate' ? `Truncate ${name}?` : `Delete ${name}?`}
        confirmLabel={asking === 'truncate' ? 'Delete all records' : 'Delete collection'}
        message={asking === 'truncate'
          ? `Every record of ${name} and its files will be deleted, with the cascades of relations. This cannot be undone.`
          : `The collection ${name}, its records and files will be deleted. This cannot be undone.`} />
    </>
  );
}
