/**
 * `#/collections` and `#/collections/{name}` (docs/dashboard.md): the searchable list of
 * collections beside the chosen collection, whose records screen (pages/records/) fills the right side.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { formErrors } from '../../field-errors.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { RecordsScreen } from '../records/records-screen.js';
import { CollectionsList } from './collections-list.js';

export default function CollectionsPage({ params }: PageProps) {
  const [collections, setCollections] = useState<CollectionModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    pb.collections.getFullList({ sort: 'name', requestKey: 'collections-list' }).then(setCollections, (err: unknown) => {
      const found = formErrors(err);
      if (found.form) setError(found.form);
    });
  }, []);

  const selected = useMemo(() => collections?.find((c) => c.name === params.name), [collections, params.name]);

  let detail;
  if (error) detail = <p class="form-error" role="alert">{error}</p>;
  else if (!collections) detail = <Loading />;
  else if (!params.name) detail = <EmptyState title="Pick a collection" detail={collections.length ? 'Choose a collection on the left to see its records.' : 'There are no collections yet.'} />;
  else if (!selected) detail = <EmptyState title="Collection not found" detail={`There is no collection named "${params.name}".`} />;
  else detail = <RecordsScreen key={selected.id} collection={selected} collections={collections} />;

  return (
    <div class="split">
      <CollectionsList collections={collections} current={params.name} />
      <section class="split-main" aria-live="polite">{detail}</section>
    </div>
  );
}
