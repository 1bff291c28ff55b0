/**
 * `#/collections/{name}/rules` (docs/rule-editor.md): the collection's API rules, read-only with a
 * link to the schema editor where they are edited, and the ★ rule tester.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CollectionModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { href } from '../../router.js';
import type { PageProps } from '../../routes.js';
import { formErrors } from '../../field-errors.js';
import { EmptyState } from '../../components/empty-state.js';
import { Loading } from '../../components/loading.js';
import { PageHeader } from '../../components/page-header.js';
import { RuleTester, actionsOf } from './rule-tester.js';
import './rules.css';

function ruleOf(collection: CollectionModel, action: string): string | null {
  const value: unknown = collection[`${action}Rule`];
  return typeof value === 'string' ? value : null;
}

export default function RulesPage({ params }: PageProps) {
  const [all, setAll] = useState<CollectionModel[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    pb.collections.getFullList({ sort: 'name', requestKey: 'rules-page-collections' }).then(setAll, (err: unknown) => {
      setError(formErrors(err).form ?? 'The collections could not be loaded.');
    });
  }, []);

  if (error) return <p class="form-error" role="alert">{error}</p>;
  if (!all) return <Loading />;
  const collection = all.find((c) => c.name === params.name);
  if (!collection) return <EmptyState title="Collection not found" detail={`There is no collection named "${params.name}".`} />;

  return (
    <div class="rules-page">
      <PageHeader title={`${collection.name} · API rules`}>
        <a class="button button-secondary" href={href('/collections/{name}/schema', { name: collection.name })}>Edit the rules</a>
      </PageHeader>
      <section aria-labelledby="rules-list-title">
        <h2 id="rules-list-title">Rules</h2>
        <dl class="rules-list">
          {actionsOf(collection).map((action) => {
            const rule = ruleOf(collection, action);
            return (
              <div key={action} class="rules-list-item">
                <dt>{action}</dt>
                <dd>
                  {rule === null ? <span class="field-help">Superusers only (locked)</span>
                    : rule === '' ? <span class="field-help">Everyone (empty rule)</span>
                    : <code>{rule}</code>}
                </dd>
              </div>
            );
          })}
        </dl>
      </section>
      <RuleTester collection={collection} all={all} />
    </div>
  );
}
