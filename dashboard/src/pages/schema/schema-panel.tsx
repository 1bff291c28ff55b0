/** Which tabs a collection's editor has (by type), and the panel of the chosen one. */
import type { CollectionModel } from 'pocketbase';
import { AuthMailOptions } from './auth-mail-options.js';
import { AuthMethodsOptions } from './auth-methods-options.js';
import { AuthTokenOptions } from './auth-token-options.js';
import { FieldsTab } from './fields-tab.js';
import { IndexesTab } from './indexes-tab.js';
import { OAuth2Options } from './oauth2-options.js';
import { RulesTab } from './rules-tab.js';
import { hasErrorsUnder } from './schema-errors.js';
import type { SchemaTab } from './schema-tabs.js';
import { ViewQueryTab } from './view-query-tab.js';
import type { Draft, FieldDraft, Json } from './schema-draft.js';

const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'authRule', 'manageRule'];

/** The tabs of `draft`'s editor, each marked when `paths` holds an error inside it. */
export function schemaTabs(draft: Draft, paths: Record<string, string>): SchemaTab[] {
  const tab = (id: string, label: string, prefixes: string[]): SchemaTab => ({ id, label, invalid: hasErrorsUnder(paths, prefixes) });
  if (draft.type === 'view') return [tab('query', 'Query', ['viewQuery', 'fields']), tab('rules', 'API rules', RULE_KEYS)];
  const tabs = [tab('fields', 'Fields', ['fields']), tab('indexes', 'Indexes', ['indexes']), tab('rules', 'API rules', RULE_KEYS)];
  if (draft.type === 'auth') {
    tabs.push(
      tab('methods', 'Sign-in methods', ['passwordAuth', 'otp.enabled', 'otp.duration', 'otp.length', 'mfa']),
      tab('oauth2', 'OAuth2', ['oauth2']),
      tab('mail', 'Emails', ['verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate', 'otp.emailTemplate', 'authAlert']),
      tab('tokens', 'Tokens', ['authToken', 'verificationToken', 'passwordResetToken', 'emailChangeToken', 'fileToken']),
    );
  }
  return tabs;
}

export interface SchemaPanelProps {
  tab: string;
  draft: Draft;
  errors: Record<string, string>;
  collections: readonly CollectionModel[];
  onChange: (key: string, value: unknown) => void;
  onPatch: (key: string, partial: Json) => void;
}

export function SchemaPanel({ tab, draft, errors, collections, onChange, onPatch }: SchemaPanelProps) {
  switch (tab) {
    case 'fields':
      return <FieldsTab fields={draft.fields} onChange={(fields: FieldDraft[]) => onChange('fields', fields)} errors={errors} collections={collections} collection={draft} />;
    case 'indexes':
      return <IndexesTab table={draft.name} indexes={draft.indexes} columns={draft.fields.map((f) => f.name).filter(Boolean)} onChange={(v) => onChange('indexes', v)} errors={errors} />;
    case 'rules':
      return <RulesTab draft={draft} onChange={onChange} errors={errors} />;
    case 'query':
      return <>
        <ViewQueryTab query={(draft.viewQuery as string | undefined) ?? ''} onChange={(v) => onChange('viewQuery', v)} error={errors.viewQuery} />
        {draft.fields.length > 0 ? <p class="muted">Saved fields: {draft.fields.map((f) => `${f.name} (${f.type})`).join(', ')}</p> : null}
      </>;
    case 'methods':
      return <div class="form"><AuthMethodsOptions draft={draft} onPatch={onPatch} errors={errors} /></div>;
    case 'oauth2':
      return <div class="form"><OAuth2Options draft={draft} onPatch={onPatch} errors={errors} /></div>;
    case 'mail':
      return <div class="form"><AuthMailOptions draft={draft} onPatch={onPatch} errors={errors} /></div>;
    case 'tokens':
      return <div class="form"><AuthTokenOptions draft={draft} onPatch={onPatch} errors={errors} /></div>;
    default:
      return null;
  }
}
