/** A page's title, with optional actions on its right. */
import type { ComponentChildren } from 'preact';

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children ? <div class="page-header-actions">{children}</div> : null}
    </header>
  );
}
