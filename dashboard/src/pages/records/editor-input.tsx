/**
 * The rich text input of `editor` fields: a contenteditable area with bold, italic, link and
 * list buttons (the browser's editing commands), whose HTML is sanitized (sanitize-html.ts)
 * on the way in and on every change. Nothing is loaded from outside the dashboard.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { safeLinkUrl, sanitizeHtml } from './sanitize-html.js';

export interface EditorInputProps {
  label: string;
  value: string;
  onValue: (html: string) => void;
  error?: string;
}

/** The toolbar's commands: document.execCommand names. */
const COMMANDS = [
  { command: 'bold', label: 'Bold', text: 'B' },
  { command: 'italic', label: 'Italic', text: 'I' },
  { command: 'insertUnorderedList', label: 'Bulleted list', text: '•' },
  { command: 'insertOrderedList', label: 'Numbered list', text: '1.' },
] as const;

export function EditorInput({ label, value, onValue, error }: EditorInputProps) {
  const id = useId();
  const area = useRef<HTMLDivElement>(null);
  const saved = useRef<Range | null>(null);
  const [linking, setLinking] = useState(false);
  const [link, setLink] = useState('');
  const [linkError, setLinkError] = useState('');

  // The stored HTML goes in once, sanitized; after that the area owns its content (no caret jumps).
  useEffect(() => {
    if (area.current) area.current.innerHTML = sanitizeHtml(value);
  }, []);

  const changed = (): void => {
    if (area.current) onValue(sanitizeHtml(area.current.innerHTML));
  };
  const run = (command: string, argument?: string): void => {
    area.current?.focus();
    document.execCommand(command, false, argument);
    changed();
  };
  const startLink = (): void => {
    const selection = getSelection();
    saved.current = selection && selection.rangeCount > 0 && area.current?.contains(selection.anchorNode) ? selection.getRangeAt(0) : null;
    setLink('');
    setLinkError('');
    setLinking(true);
  };
  const addLink = (): void => {
    const url = safeLinkUrl(link);
    if (!url) {
      setLinkError('Enter an http(s) or mailto address.');
      return;
    }
    area.current?.focus();
    const selection = getSelection();
    if (saved.current && selection) {
      selection.removeAllRanges();
      selection.addRange(saved.current);
    }
    if (selection?.isCollapsed) {
      // Nothing selected: insert the address itself as the link's text.
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.textContent = url;
      run('insertHTML', anchor.outerHTML);
    } else {
      run('createLink', url);
    }
    setLinking(false);
  };

  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <span class="field-label" id={`${id}-label`}>{label}</span>
      <div class="editor">
        <div class="editor-toolbar" role="toolbar" aria-label={`${label} formatting`}>
          {COMMANDS.map((c) => (
            <button key={c.command} type="button" class="button button-ghost" aria-label={c.label} title={c.label}
              onMouseDown={(e) => e.preventDefault()} onClick={() => run(c.command)}>{c.text}</button>
          ))}
          <button type="button" class="button button-ghost" aria-label="Link" title="Link" onMouseDown={(e) => e.preventDefault()} onClick={startLink}>Link</button>
        </div>
        {linking
          ? <div class="editor-link">
              <label for={`${id}-link`} class="visually-hidden">Link address</label>
              <input id={`${id}-link`} type="url" placeholder="https://…" value={link} onInput={(e) => setLink(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') { e.preventDefault(); addLink(); }
                  if (e.key === 'Escape') { e.stopPropagation(); setLinking(false); }
                }} />
              <button type="button" class="button button-secondary" onClick={addLink}>Add link</button>
              {linkError ? <span class="field-error" role="alert">{linkError}</span> : null}
            </div>
          : null}
        <div
          ref={area} id={id} class="editor-area" contentEditable role="textbox" aria-multiline="true"
          aria-labelledby={`${id}-label`} aria-invalid={error ? true : undefined} onInput={changed}
        />
      </div>
      {error ? <p class="field-error">{error}</p> : null}
    </div>
  );
}
