/**
 * `#/sql`, the SQL console (docs/dashboard.md, "SQL console"): one statement at a time
 * through `POST /api/sql` (the SDK's `pb.sql.run`), the answer as a table, the engine's
 * error inline, and the last queries in localStorage.
 */
import { useState } from 'preact/hooks';
import { pb } from '../../pb.js';
import type { PageProps } from '../../routes.js';
import { formErrors } from '../../field-errors.js';
import { Button } from '../../components/button.js';
import { FormField } from '../../components/form-field.js';
import { PageHeader } from '../../components/page-header.js';
import { clearHistory, readHistory, rememberQuery } from './sql-history.js';
import { SqlResults, type SqlAnswer } from './sql-results.js';
import './sql.css';

/** The server's limit on a statement's length. */
const MAX_QUERY = 5000;

export default function SqlPage(_props: PageProps) {
  const [query, setQuery] = useState(() => readHistory()[0] ?? 'SELECT id, name, type FROM _collections ORDER BY name');
  const [answer, setAnswer] = useState<SqlAnswer | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [history, setHistory] = useState(readHistory);

  const run = async (): Promise<void> => {
    const text = query.trim();
    if (text === '' || busy) return;
    setBusy(true);
    setError(undefined);
    setHistory(rememberQuery(text));
    try {
      setAnswer((await pb.sql.run(text, { requestKey: null })) as SqlAnswer);
    } catch (err) {
      setAnswer(null);
      const found = formErrors(err);
      setError(found.fields.query ?? found.form ?? 'The query failed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sql">
      <PageHeader title="SQL console" />
      <form class="form sql-form" onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <FormField
          label="SQL query" error={error}
          help="One statement, run in its own transaction against the node's database. Ctrl+Enter runs it."
          render={(ids) => (
            <textarea
              {...ids} class="sql-input" rows={6} spellcheck={false} maxLength={MAX_QUERY} value={query}
              onInput={(e) => setQuery(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void run();
                }
              }}
            />
          )}
        />
        <div class="sql-actions">
          <Button type="submit" variant="primary" busy={busy}>Run</Button>
        </div>
      </form>
      {error ? <p class="form-error sql-error" role="alert">{error}</p> : null}
      {answer ? <SqlResults answer={answer} /> : null}
      {history.length > 0 ? (
        <section class="sql-history" aria-labelledby="sql-history-title">
          <div class="sql-history-head">
            <h2 id="sql-history-title">History</h2>
            <Button variant="ghost" onClick={() => { clearHistory(); setHistory([]); }}>Clear history</Button>
          </div>
          <ul>
            {history.map((item) => (
              <li key={item}>
                <button type="button" class="sql-history-item" title="Put this query in the box" onClick={() => setQuery(item)}>{item}</button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
