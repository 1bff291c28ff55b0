/**
 * The text box of a rule or filter (docs/rule-editor.md): a textarea with an autocompletion
 * listbox (ARIA combobox: arrows, Enter or Tab to insert, Escape to close, Ctrl+Space to open)
 * and the server parser's syntax error shown as you type, underlined in a mirror behind the text.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ControlIds } from '../form-field.js';
import { completionsFor, wordAtCaret, type Completion } from './completions.js';
import { useRuleSchemas, type RuleCollection } from './collections-cache.js';
import { checkSyntax, isPlainText, lineAndColumn } from './syntax-check.js';
import './rule-editor.css';

export interface ExpressionInputProps {
  ids: ControlIds;
  value: string;
  onChange: (value: string) => void;
  collection: RuleCollection | undefined;
  /** Which server limits apply: a collection rule or a client filter. */
  kind: 'rule' | 'filter';
  /** Enter (with no suggestion open) calls it instead of adding a line: the filter bar. */
  onSubmit?: (value: string) => void;
  rows: number;
  placeholder?: string;
  /** Text without any operator is a plain search, not a syntax error (see isPlainText). */
  plainText?: boolean;
}

interface Suggestions {
  start: number;
  caret: number;
  items: Completion[];
  active: number;
}

export function ExpressionInput({ ids, value, onChange, collection, kind, onSubmit, rows, placeholder, plainText = false }: ExpressionInputProps) {
  const { all, current } = useRuleSchemas(collection);
  const [open, setOpen] = useState<Suggestions | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const caretAfterRender = useRef<number | null>(null);
  const problem = useMemo(() => (plainText && isPlainText(value) ? null : checkSyntax(value, kind)), [value, kind, plainText]);
  const listId = `${ids.id}-suggestions`;
  const errorId = `${ids.id}-syntax`;

  useLayoutEffect(() => {
    const el = area.current;
    if (el && caretAfterRender.current !== null) {
      el.setSelectionRange(caretAfterRender.current, caretAfterRender.current);
      caretAfterRender.current = null;
    }
  });

  function suggest(text: string, caret: number, force: boolean): void {
    const { start, word } = wordAtCaret(text, caret);
    if (word === '' && !force) return setOpen(null);
    const items = completionsFor(word, current, all);
    setOpen(items.length ? { start, caret, items, active: 0 } : null);
  }

  function accept(item: Completion): void {
    if (!open) return;
    const next = value.slice(0, open.start) + item.text + value.slice(open.caret);
    const caret = open.start + item.text.length;
    caretAfterRender.current = caret;
    onChange(next);
    if (item.text.endsWith('.')) suggest(next, caret, true);
    else setOpen(null);
    area.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent): void {
    if (open) {
      const count = open.items.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : count - 1;
        return setOpen({ ...open, active: (open.active + step) % count });
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        return accept(open.items[open.active]!);
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        return setOpen(null);
      }
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      const el = e.currentTarget as HTMLTextAreaElement;
      return suggest(el.value, el.selectionStart, true);
    }
    if (e.key === 'Enter' && onSubmit && !e.shiftKey) {
      e.preventDefault();
      onSubmit(value);
    }
  }

  function onInput(e: Event): void {
    const el = e.currentTarget as HTMLTextAreaElement;
    onChange(el.value);
    suggest(el.value, el.selectionStart, false);
  }

  const at = problem?.position;
  const describedBy = [ids['aria-describedby'], problem ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="rule-editor">
      <div class="rule-editor-box">
        <div class="rule-editor-mirror" ref={mirror} aria-hidden="true">
          {at === undefined ? value : (
            <>
              {value.slice(0, at)}
              <mark>{value.slice(at, at + 1) || ' '}</mark>
              {value.slice(at + 1)}
            </>
          )}
          {'\n'}
        </div>
        <textarea
          ref={area}
          id={ids.id}
          class="rule-editor-input"
          rows={rows}
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          value={value}
          placeholder={placeholder}
          // NOTE: ARIA 1.2 allows a combobox on a multi-line box; Preact's types only know `textbox` for textarea.
          {...({ role: 'combobox' } as Record<string, string>)}
          aria-autocomplete="list"
          aria-expanded={open !== null}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${open.active}` : undefined}
          aria-describedby={describedBy}
          aria-invalid={ids['aria-invalid'] || problem !== null || undefined}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onClick={() => setOpen(null)}
          onBlur={() => setOpen(null)}
          onScroll={(e) => {
            if (mirror.current) mirror.current.scrollTop = (e.currentTarget as HTMLTextAreaElement).scrollTop;
          }}
        />
      </div>
      <ul class="rule-editor-list" role="listbox" id={listId} aria-label="Suggestions" hidden={!open}>
        {open?.items.map((item, i) => (
          <li
            key={item.text}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === open.active}
            class={i === open.active ? 'active' : undefined}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => accept(item)}
          >
            <code>{item.text}</code>
            <span class="rule-editor-detail">{item.detail}</span>
          </li>
        ))}
      </ul>
      <p class="rule-editor-error" id={errorId} aria-live="polite">
        {problem ? `Syntax error: ${problem.message}${at === undefined ? '' : ` (${lineAndColumn(value, at)})`}` : ''}
      </p>
    </div>
  );
}
