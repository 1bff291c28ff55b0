/**
 * The indexes of a collection: list, add, edit (name, unique, columns with their sort order and
 * collation, partial condition), remove. A statement the form cannot read is edited as raw SQL.
 */
import { useState } from 'preact/hooks';
import { Button } from '../../components/button.js';
import { Checkbox } from '../../components/checkbox.js';
import { Modal } from '../../components/modal.js';
import { SelectInput } from '../../components/select-input.js';
import { TextInput } from '../../components/text-input.js';
import { TextArea } from './option-inputs.js';
import {
  INDEX_COLLATIONS, INDEX_ORDERS, freeIndexName, indexStatement, parseIndex, plainColumn,
  type IndexColumnSpec, type IndexOrder, type IndexSpec,
} from './index-statement.js';

const ORDER_LABELS: Record<IndexOrder, string> = { '': 'Default (ascending)', ASC: 'Ascending (ASC)', DESC: 'Descending (DESC)' };
const COLLATION_LABELS: Record<string, string> = { '': 'Default (exact, byte-wise)', NOCASE: 'NOCASE (ignores ASCII case)' };

export interface IndexesTabProps {
  table: string;
  indexes: string[];
  columns: readonly string[];
  onChange: (indexes: string[]) => void;
  errors: Record<string, string>;
}

/** What the modal edits: a structured index, or raw SQL for a statement the form cannot read. */
type Editing = { at: number; spec: IndexSpec; raw: null } | { at: number; spec: null; raw: string };

export function IndexesTab({ table, indexes, columns, onChange, errors }: IndexesTabProps) {
  const [editing, setEditing] = useState<Editing | null>(null);
  const open = (at: number): void => {
    const sql = indexes[at];
    if (sql === undefined) setEditing({ at, spec: { name: freeIndexName(table, indexes), unique: false, columns: [], where: '' }, raw: null });
    else {
      const spec = parseIndex(sql);
      setEditing(spec ? { at, spec, raw: null } : { at, spec: null, raw: sql });
    }
  };
  const save = (): void => {
    if (!editing) return;
    const sql = editing.spec ? indexStatement(editing.spec, table) : editing.raw;
    const next = [...indexes];
    next[editing.at] = sql;
    onChange(next);
    setEditing(null);
  };
  const spec = editing?.spec;
  const toggleColumn = (column: string, on: boolean): void => {
    if (!editing?.spec) return;
    const chosen = on ? [...editing.spec.columns, plainColumn(column)] : editing.spec.columns.filter((c) => c.name !== column);
    setEditing({ ...editing, spec: { ...editing.spec, columns: chosen } });
  };
  const changeColumn = (at: number, change: Partial<IndexColumnSpec>): void => {
    if (!editing?.spec) return;
    const chosen = editing.spec.columns.map((c, i) => (i === at ? { ...c, ...change } : c));
    setEditing({ ...editing, spec: { ...editing.spec, columns: chosen } });
  };
  return (
    <div>
      {indexes.length === 0 ? <p class="muted">No indexes.</p> : null}
      <ul class="index-list">
        {indexes.map((sql, at) => {
          const parsed = parseIndex(sql);
          const label = parsed ? parsed.name : `index ${at + 1}`;
          return (
            <li key={`${at}-${sql}`} class={errors[`indexes.${at}`] ? 'field-row-invalid' : undefined}>
              <code>{sql}</code>
              {parsed?.unique ? <span class="badge">unique</span> : null}
              <Button variant="ghost" aria-label={`Edit ${label}`} onClick={() => open(at)}>Edit</Button>
              <Button variant="ghost" aria-label={`Remove ${label}`} onClick={() => onChange(indexes.filter((_, i) => i !== at))}>Remove</Button>
              {errors[`indexes.${at}`] ? <p class="field-error" role="alert">{errors[`indexes.${at}`]}</p> : null}
            </li>
          );
        })}
      </ul>
      {errors.indexes ? <p class="field-error" role="alert">{errors.indexes}</p> : null}
      <Button onClick={() => open(indexes.length)}>Add index</Button>
      <Modal open={editing !== null} title={editing && editing.at < indexes.length ? 'Edit index' : 'New index'} onClose={() => setEditing(null)} footer={<>
        <Button variant="ghost" onClick={() => setEditing(null)}>Cancel</Button>
        <Button variant="primary" disabled={spec ? !spec.name || spec.columns.length === 0 : !editing?.raw.trim()} onClick={save}>Set index</Button>
      </>}>
        {editing && spec ? (
          <div class="form">
            <TextInput label="Index name" value={spec.name} onValue={(name) => setEditing({ ...editing, spec: { ...spec, name } })} />
            <Checkbox label="Unique" checked={spec.unique} onChecked={(unique) => setEditing({ ...editing, spec: { ...spec, unique } })} />
            <fieldset class="column-picker">
              <legend>Columns</legend>
              {columns.map((column) => (
                <Checkbox key={column} label={column} checked={spec.columns.some((c) => c.name === column)} onChecked={(on) => toggleColumn(column, on)} />
              ))}
            </fieldset>
            {spec.columns.length > 0 ? (
              <fieldset class="index-columns">
                <legend>Order and collation, in index order</legend>
                {spec.columns.map((c, at) => (
                  <div key={c.name} class="index-column" role="group" aria-label={`Column ${c.name}`}>
                    <code>{c.name}</code>
                    <SelectInput label={`${c.name} sort order`} value={c.order} onValue={(order) => changeColumn(at, { order: order as IndexOrder })}
                      options={INDEX_ORDERS.map((o) => ({ value: o, label: ORDER_LABELS[o] }))} />
                    <SelectInput label={`${c.name} collation`} value={c.collate} onValue={(collate) => changeColumn(at, { collate })}
                      options={collationOptions(c.collate)} />
                  </div>
                ))}
                <p class="field-help">NOCASE makes text compare and stay unique ignoring ASCII case (PostgreSQL indexes lower() of the column), and lets auth records sign in by that field in any case.</p>
              </fieldset>
            ) : null}
            <TextInput label="Partial index condition (optional)" value={spec.where} help="An SQL condition without WHERE, e.g. email != ''." onValue={(where) => setEditing({ ...editing, spec: { ...spec, where } })} />
            <p class="muted"><code>{indexStatement(spec, table)}</code></p>
          </div>
        ) : editing ? (
          <TextArea label="Index statement" code value={editing.raw ?? ''} onValue={(raw) => setEditing({ at: editing.at, spec: null, raw })} />
        ) : null}
      </Modal>
    </div>
  );
}

/** The offered collations, plus the column's own when a stored statement has another (kept, not offered). */
function collationOptions(current: string): { value: string; label: string }[] {
  const offered: readonly string[] = INDEX_COLLATIONS;
  const values = offered.includes(current) ? offered : [...offered, current];
  return values.map((value) => ({ value, label: COLLATION_LABELS[value] ?? `${value} (SQLite only)` }));
}
