/** The searchable list of collections beside the collections pages. */
import { useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { href } from '../../router.js';
import { TextInput } from '../../components/text-input.js';

export function CollectionsList({ collections, current }: { collections: CollectionModel[] | null; current?: string }) {
  const [search, setSearch] = useState('');
  const needle = search.trim().toLowerCase();
  const shown = (collections ?? []).filter((c) => c.name.toLowerCase().includes(needle));
  // System collections (_superusers, …) after the app's own, as PocketBase lists them.
  const own = shown.filter((c) => !c.system);
  const system = shown.filter((c) => c.system);
  return (
    <div class="split-side">
      <div class="split-side-actions">
        <a class="button button-primary" href={href('/new-collection')}>New collection</a>
        <a class="button button-ghost" href={href('/import-collections')}>Import/Export</a>
      </div>
      <nav aria-label="Collections">
        <TextInput label="Search collections" type="search" value={search} onValue={setSearch} placeholder="Search…" />
        {collections && shown.length === 0 ? <p class="muted">No collection matches.</p> : null}
        <ul class="link-list">
          {[...own, ...system].map((c) => (
            <li key={c.id} class="link-list-item">
              <a href={href('/collections/{name}', { name: c.name })} aria-current={c.name === current ? 'page' : undefined}>
                {c.name}{c.system ? <span class="muted"> (system)</span> : null}
              </a>
              <a class="link-list-edit" href={href('/collections/{name}/schema', { name: c.name })} aria-label={`Edit ${c.name} schema`} title="Edit collection">⚙</a>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
