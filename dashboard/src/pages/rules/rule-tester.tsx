/**
 * ★ The rule tester (docs/rule-editor.md): pick a requester (an auth record or a guest), a record
 * of the collection and optionally a body, query and headers, and see for each rule whether the
 * API would allow it and which part decided, from the explain endpoint (docs/rules-explain.md).
 * An auth collection adds its authRule (may the record sign in) and manageRule (may the requester
 * manage the record).
 */
import { useCallback, useState } from 'preact/hooks';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { Button } from '../../components/button.js';
import { FormField } from '../../components/form-field.js';
import { formErrors } from '../../field-errors.js';
import { FilterInput } from '../../components/rule-editor/filter-input.js';
import { checkSyntax, isPlainText } from '../../components/rule-editor/syntax-check.js';
import { ACTIONS, SIGN_IN_METHODS, explainRule, type ExplainInput, type Explanation, type RuleAction, type SignInMethod } from './explain.js';
import { SelectInput } from '../../components/select-input.js';
import { plainTextFilter, textFields } from '../records/plain-search.js';
import { parseJsonObject } from './json-object.js';
import { RecordSearch, type FoundRecord } from './record-search.js';
import { TraceView } from './trace-view.js';

type Requester = { collection: string; id: string };
type Outcome = { answer: Explanation } | { skipped: string };

const RESULTS_PER_COLLECTION = 5;
const NEEDS_RECORD: readonly RuleAction[] = ['view', 'update', 'delete', 'auth', 'manage'];
const SIGN_IN_LABELS: Record<SignInMethod, string> = { password: 'Password', otp: 'One-time password (OTP)', oauth2: 'OAuth2' };

/** The actions a collection has rules for: a view collection is read-only; only auth collections have authRule and manageRule. */
export function actionsOf(collection: CollectionModel): readonly RuleAction[] {
  if (collection.type === 'view') return ['list', 'view'];
  return collection.type === 'auth' ? ACTIONS : ACTIONS.filter((a) => a !== 'auth' && a !== 'manage');
}

function recordLabel(c: CollectionModel, r: RecordModel): string {
  // An auth record is best known by its email, wherever the email field sits in the schema.
  const names = c.type === 'auth' ? ['email', ...textFields(c)] : textFields(c);
  const shown = names.map((name) => r[name]).find((v) => typeof v === 'string' && v !== '');
  return shown ? `${r.id} · ${String(shown)}` : r.id;
}

export function RuleTester({ collection, all }: { collection: CollectionModel; all: CollectionModel[] }) {
  const [requester, setRequester] = useState<FoundRecord<Requester> | null>(null);
  const [record, setRecord] = useState<FoundRecord<string> | null>(null);
  const [body, setBody] = useState('');
  const [query, setQuery] = useState('');
  const [headers, setHeaders] = useState('');
  const [signIn, setSignIn] = useState<SignInMethod>('password');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcomes, setOutcomes] = useState<Partial<Record<RuleAction, Outcome>>>({});
  const [busy, setBusy] = useState(false);

  const searchAuth = useCallback(async (text: string): Promise<FoundRecord<Requester>[]> => {
    const lists = await Promise.all(all.filter((c) => c.type === 'auth').map(async (c) => {
      const filter = text ? pb.filter('id ~ {:q} || email ~ {:q}', { q: text }) : '';
      const page = await pb.collection(c.name).getList(1, RESULTS_PER_COLLECTION, { filter, requestKey: null });
      return page.items.map((r) => ({ key: `${c.id}/${r.id}`, label: `${c.name} · ${String(r.email || r.id)}`, value: { collection: c.name, id: r.id } }));
    }));
    return lists.flat();
  }, [all]);

  const searchRecords = useCallback(async (text: string): Promise<FoundRecord<string>[] | null> => {
    let filter = text;
    if (isPlainText(text)) {
      filter = plainTextFilter(collection, text);
    } else if (checkSyntax(text, 'filter')) {
      return null;
    }
    const page = await pb.collection(collection.name).getList(1, 10, { filter, requestKey: null });
    return page.items.map((r) => ({ key: r.id, label: recordLabel(collection, r), value: r.id }));
  }, [collection]);

  async function run(e: Event): Promise<void> {
    e.preventDefault();
    const parsed = { body: parseJsonObject(body, false), query: parseJsonObject(query, true), headers: parseJsonObject(headers, true) };
    const found: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) if (value.error) found[key] = value.error;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const input: ExplainInput = {
      auth: requester?.value ?? null,
      recordId: record?.value,
      body: parsed.body.value,
      query: parsed.query.value as Record<string, string> | undefined,
      headers: parsed.headers.value as Record<string, string> | undefined,
    };
    const isAuth = collection.type === 'auth';
    setBusy(true);
    try {
      const entries = await Promise.all(actionsOf(collection).map(async (action): Promise<[RuleAction, Outcome]> => {
        if (NEEDS_RECORD.includes(action) && !input.recordId) return [action, { skipped: 'Pick a record to judge this rule.' }];
        const forAction = action === 'create' ? { ...input, recordId: undefined } : action === 'auth' && isAuth ? { ...input, signIn } : input;
        return [action, { answer: await explainRule(collection.name, action, forAction) }];
      }));
      setOutcomes(Object.fromEntries(entries));
    } catch (err) {
      const problem = formErrors(err);
      setErrors({ ...problem.fields, form: problem.form ?? 'The test failed.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="rule-tester" aria-labelledby="rule-tester-title">
      <h2 id="rule-tester-title">Rule tester</h2>
      <p class="field-help">Would the API let this requester do each action on this record? The answer comes from the server, with the same rule compiler as real requests.</p>
      <form class="rule-tester-form" onSubmit={(e) => void run(e)}>
        <div class="rule-tester-pickers">
          <RecordSearch legend="Requester" searchLabel="Search auth records" search={searchAuth} selected={requester}
            onSelect={setRequester} noneLabel="Guest (not signed in)" />
          <RecordSearch legend={`Record of ${collection.name}`} searchLabel="Find a record" search={searchRecords} selected={record}
            onSelect={setRecord} noneLabel="No record (list: any record; create: a new one)"
            searchBox={(text, setText) => (
              <FilterInput label="Find a record (text or filter)" value={text} onChange={setText} onSubmit={setText}
                collection={collection} plainText placeholder='e.g. hello, or author.email = "a@b.c"' />
            )} />
        </div>
        <details class="rule-tester-request">
          <summary>Request body, query and headers</summary>
          <JsonBox label={collection.type === 'auth' ? 'Body (JSON, for create, update, manage and sign-in)' : 'Body (JSON, for create and update)'} value={body} onValue={setBody} error={errors.body} placeholder='{"title": "new title"}' />
          <JsonBox label="Query (JSON object of text)" value={query} onValue={setQuery} error={errors.query} placeholder='{"page": "1"}' />
          <JsonBox label="Headers (JSON object of text)" value={headers} onValue={setHeaders} error={errors.headers} placeholder='{"X-Token": "secret"}' />
          {collection.type === 'auth' ? (
            <SelectInput label="Sign-in method (authRule)" value={signIn} onValue={(v) => setSignIn(v as SignInMethod)} error={errors.signIn}
              options={SIGN_IN_METHODS.map((m) => ({ value: m, label: SIGN_IN_LABELS[m] }))}
              help="The authRule sees it as @request.context, and the record as @request.auth: only a superuser requester changes the verdict." />
          ) : null}
        </details>
        {errors.form ? <p class="form-error" role="alert">{errors.form}</p> : null}
        <div><Button type="submit" variant="primary" busy={busy}>Test the rules</Button></div>
      </form>
      <div class="rule-tester-results" aria-live="polite">
        {actionsOf(collection).map((action) => {
          const outcome = outcomes[action];
          if (!outcome) return null;
          if ('skipped' in outcome) {
            return (
              <article key={action} class="rule-tester-result" aria-label={`${action} rule result`} data-action={action}>
                <h3><span class="rule-tester-action">{action}</span></h3>
                <p class="field-help">{outcome.skipped}</p>
              </article>
            );
          }
          return <TraceView key={action} action={action} answer={outcome.answer} />;
        })}
      </div>
    </section>
  );
}

function JsonBox({ label, value, onValue, error, placeholder }: { label: string; value: string; onValue: (v: string) => void; error?: string; placeholder: string }) {
  return (
    <FormField label={label} error={error} render={(ids) => (
      <textarea {...ids} class="rule-tester-json" rows={3} spellcheck={false} value={value} placeholder={placeholder}
        onInput={(e) => onValue(e.currentTarget.value)} />
    )} />
  );
}
