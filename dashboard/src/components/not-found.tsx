/** The page for a hash path no route matches, or a page that failed to load. */
import { EmptyState } from './empty-state.js';

export function NotFound({ title, detail }: { title: string; detail: string }) {
  return (
    <EmptyState title={title} detail={detail}>
      <a class="button button-secondary" href="#/collections">Go to collections</a>
    </EmptyState>
  );
}
