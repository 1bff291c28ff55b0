/** A card in the middle of an empty page: sign in, install and the other public pages. */
import type { ComponentChildren } from 'preact';

export function CenteredCard({ children }: { children: ComponentChildren }) {
  return <div class="centered"><div class="card">{children}</div></div>;
}
