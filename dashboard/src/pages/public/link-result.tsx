/** The end state of a public page: a success or an error, with its heading, announced to screen readers. */
import type { ComponentChildren } from 'preact';

export interface LinkResultProps {
  kind: 'success' | 'error';
  title: string;
  children?: ComponentChildren;
}

export function LinkResult({ kind, title, children }: LinkResultProps) {
  return (
    <div class={`link-result link-result-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span class="link-result-mark" aria-hidden="true">{kind === 'success' ? '✓' : '!'}</span>
      <h1>{title}</h1>
      {children}
    </div>
  );
}
