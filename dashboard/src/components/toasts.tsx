/** Shows the toast queue (toast.ts) in a live region screen readers announce. */
import { useEffect, useState } from 'preact/hooks';
import { dismissToast, onToasts, type ToastMessage } from '../toast.js';

export function Toasts() {
  const [messages, setMessages] = useState<ToastMessage[]>([]);
  useEffect(() => onToasts(setMessages), []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {messages.map((m) => (
        <div key={m.id} class={`toast toast-${m.kind}`}>
          <span>{m.text}</span>
          <button type="button" class="button button-ghost" aria-label="Dismiss" onClick={() => dismissToast(m.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
