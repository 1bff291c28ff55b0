/** A side panel over the right of the page (record and collection editors): focus trapped, Escape closes. */
import type { ComponentChildren } from 'preact';
import { useId, useRef } from 'preact/hooks';
import { useFocusTrap } from '../focus-trap.js';

export interface DrawerProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  footer?: ComponentChildren;
}

export function Drawer({ open, title, onClose, children, footer }: DrawerProps) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useFocusTrap(ref, open, onClose);
  if (!open) return null;
  return (
    <div class="overlay overlay-drawer" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="drawer" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} tabIndex={-1}>
        <header class="drawer-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" class="button button-ghost" aria-label="Close" onClick={onClose}>×</button>
        </header>
        <div class="drawer-body">{children}</div>
        {footer ? <footer class="drawer-footer">{footer}</footer> : null}
      </div>
    </div>
  );
}
