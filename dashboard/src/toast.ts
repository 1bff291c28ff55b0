/** The toast queue (docs/dashboard.md, "Components"): `toast('Saved')` from anywhere; <Toasts/> shows them. */

export interface ToastMessage {
  id: number;
  text: string;
  kind: 'success' | 'error' | 'info';
}

/** How long a toast stays. */
const TOAST_MS = 4000;
let next = 1;
let messages: ToastMessage[] = [];
const listeners = new Set<(messages: ToastMessage[]) => void>();

/** Shows `text` for a few seconds. */
export function toast(text: string, kind: ToastMessage['kind'] = 'success'): void {
  const message = { id: next++, text, kind };
  publish([...messages, message]);
  setTimeout(() => dismissToast(message.id), TOAST_MS);
}

/** Removes one toast now. */
export function dismissToast(id: number): void {
  publish(messages.filter((m) => m.id !== id));
}

/** Calls `listener` on every change; returns the unsubscribe. */
export function onToasts(listener: (messages: ToastMessage[]) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function publish(list: ToastMessage[]): void {
  messages = list;
  for (const listener of listeners) listener(messages);
}
