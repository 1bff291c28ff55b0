/**
 * The collections editor's unsaved-changes warning (docs/dashboard.md, "Collections editor"):
 * while `dirty`, closing or reloading the tab asks through the browser's own prompt
 * (`beforeunload`), and going to another hash route — a link, the back button or an
 * in-app navigation — asks first and, when the user stays, puts the editor's address back.
 */
import { useEffect, useRef } from 'preact/hooks';
import { navigate } from '../../router.js';

export const LEAVE_QUESTION = 'You have unsaved changes. Leave the editor and discard them?';

/** Navigates without asking: for the editor's own moves once its changes are saved or gone. */
export type Leave = (path: string, options?: { replace?: boolean }) => void;

export function useLeaveGuard(dirty: boolean): Leave {
  const state = useRef({ dirty, bypass: false, hash: location.hash });
  state.current.dirty = dirty;

  useEffect(() => {
    const s = state.current;
    s.hash = location.hash;
    const onBeforeUnload = (e: BeforeUnloadEvent): void => {
      if (!s.dirty || s.bypass) return;
      e.preventDefault();
      // NOTE: older Chromium versions show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    /** Whether the move to `hash` may go on; false when the user chose to stay. */
    const mayLeaveTo = (hash: string): boolean => {
      if (hash === s.hash || !s.dirty || s.bypass) return true;
      if (!window.confirm(LEAVE_QUESTION)) return false;
      s.hash = hash;
      return true;
    };
    // NOTE: a link or the back button must be caught before the router sees the hash change:
    // the browser runs the router's render between two listeners of the same native event.
    const onClick = (e: MouseEvent): void => {
      const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement) || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      if (link.target && link.target !== '_self') return;
      const to = new URL(link.href, location.href);
      if (to.origin !== location.origin || to.pathname !== location.pathname || to.hash === '') return;
      if (!mayLeaveTo(to.hash)) e.preventDefault();
    };
    /** Back and forward: the address changed already; staying puts the editor's back. */
    const onPopState = (): void => {
      if (!mayLeaveTo(location.hash)) history.replaceState(null, '', s.hash);
    };
    /** In-app navigations (`navigate()` dispatches the event itself, so the router has not rendered yet). */
    const onHashChange = (): void => {
      if (mayLeaveTo(location.hash)) {
        s.hash = location.hash;
        return;
      }
      history.replaceState(null, '', s.hash);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    };
    document.addEventListener('click', onClick, true);
    window.addEventListener('popstate', onPopState);
    window.addEventListener('beforeunload', onBeforeUnload);
    window.addEventListener('hashchange', onHashChange);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      window.removeEventListener('hashchange', onHashChange);
      window.removeEventListener('popstate', onPopState);
      document.removeEventListener('click', onClick, true);
    };
  }, []);

  return (path, options) => {
    state.current.bypass = true;
    try {
      navigate(path, options);
    } finally {
      state.current.bypass = false;
      state.current.hash = location.hash;
    }
  };
}
