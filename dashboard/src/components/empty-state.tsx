/** What a page shows when it has nothing to list, with an optional action. */
import type { ComponentChildren } from 'preact';

export function EmptyState({ title, detail, children }: { title: string; detail?: string; children?: ComponentChildren }) {
  return (
    <div class="empty-state">
      <p class="empty-state-title">{title}</p>
      {detail ? <p class="empty-state-detail">{detail}</p> : null}
      {children}
    </div>
  );
}
