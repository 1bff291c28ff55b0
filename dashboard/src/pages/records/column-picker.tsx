/** The column picker: a menu of the collection's fields, each a checkbox (docs/dashboard.md, "Records"). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CollectionField } from 'pocketbase';

export interface ColumnPickerProps {
  fields: CollectionField[];
  hidden: readonly string[];
  onHidden: (hidden: string[]) => void;
}

export function ColumnPicker({ fields, hidden, onHidden }: ColumnPickerProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (e: Event): void => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    root.current?.querySelector('input')?.focus();
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const toggle = (name: string, shown: boolean): void => onHidden(shown ? hidden.filter((n) => n !== name) : [...hidden, name]);
  return (
    <div class="menu" ref={root}>
      <button type="button" class="button button-secondary" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen(!open)}>Columns</button>
      {open
        ? <fieldset class="menu-panel">
            <legend class="visually-hidden">Shown columns</legend>
            {fields.map((field) => (
              <label key={field.name} class="menu-item">
                <input type="checkbox" checked={!hidden.includes(field.name)} onChange={(e) => toggle(field.name, e.currentTarget.checked)} />
                {field.name}
              </label>
            ))}
          </fieldset>
        : null}
    </div>
  );
}
