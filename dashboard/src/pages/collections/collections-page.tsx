/**
 * `#/collections` and `#/collections/{name}` (docs/dashboard.md): the searchable list of
 * collections beside the chosen collection, whose records screen (pages/records/) fills the right side.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
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

  // The name the list was last read again for, because the list did not have it.
  const lookedUp = useRef<string | null>(null);
  const load = (): void => {
    pb.collections.getFullList({ sort: 'name', requestKey: 'collections-list' }).then(setCollections, (err: unknown) => {
      const found = formErrors(err);
      if (found.form) setError(found.form);
    });
  };
  useEffect(load, []);

  const selected = useMemo(() => collections?.find((c) => c.name === params.name), [collections, params.name]);
  useEffect(() => {
    // A collection made since the list was read (through the API, another tab): read it again, once per name.
    if (selected) lookedUp.current = null;
    if (!collections || !params.name || selected || lookedUp.current === params.name) return;
    lookedUp.current = params.name;
    load();
  }, [collections, params.name, selected]);

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
