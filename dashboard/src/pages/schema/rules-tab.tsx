/** The API rules of a collection (docs/api.md §2.2), plus an auth collection's authRule and manageRule. */
import { href } from '../../router.js';
import { RuleBox } from './rule-box.js';
import { API_RULES, type Draft } from './schema-draft.js';

export interface RulesTabProps {
  draft: Draft;
  onChange: (key: string, value: string | null) => void;
  errors: Record<string, string>;
}

export function RulesTab({ draft, onChange, errors }: RulesTabProps) {
  // A view is read-only: its create, update and delete rules stay null (docs/api.md §2.1).
  const rules = draft.type === 'view' ? API_RULES.slice(0, 2) : API_RULES;
  const locked = draft.system === true;
  return (
    <div class="form">
      {locked ? <p class="muted">The rules of a system collection cannot change.</p> : null}
      {typeof draft.name === 'string' && typeof draft.id === 'string' && draft.id !== '' ? (
        <p><a href={href('/collections/{name}/rules', { name: draft.name })}>Test the saved rules with a requester and a record</a></p>
      ) : null}
      {rules.map(([key, label]) => (
        <RuleBox key={key} label={label} value={(draft[key] as string | null | undefined) ?? null} onChange={(v) => onChange(key, v)}
          collection={draft} error={errors[key]} disabled={locked} />
      ))}
      {draft.type === 'auth' ? (
        <>
          <RuleBox label="Auth rule" value={(draft.authRule as string | null | undefined) ?? null} onChange={(v) => onChange('authRule', v)}
            collection={draft} error={errors.authRule} disabled={locked}
            help="Checked after every successful sign-in; superusers only turns sign-in off." />
          <RuleBox label="Manage rule" value={(draft.manageRule as string | null | undefined) ?? null} onChange={(v) => onChange('manageRule', v)}
            collection={draft} error={errors.manageRule} disabled={locked} allowEveryone={false}
            help="Who may change other users' email, password and verified state without their old password." />
        </>
      ) : null}
    </div>
  );
}
