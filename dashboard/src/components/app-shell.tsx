/** The signed-in layout: the left navigation (the route table's `nav` screens, theme toggle, sign out) and the page. */
import type { ComponentChildren } from 'preact';
import { pb } from '../pb.js';
import { navigate } from '../router.js';
import { ROUTES } from '../routes.js';
import { ThemeToggle } from './theme-toggle.js';

export function AppShell({ path, children }: { path: string; children: ComponentChildren }) {
  const signOut = (): void => {
    pb.authStore.clear();
    navigate('/login');
  };
  return (
    <div class="shell">
      <nav class="shell-nav" aria-label="Main">
        <a class="shell-brand" href="#/collections">Plinth</a>
        <ul>
          {ROUTES.filter((route) => route.nav).map((route) => (
            <li key={route.path}>
              <a href={`#${route.path}`} aria-current={path === route.path || path.startsWith(`${route.path}/`) ? 'page' : undefined}>
                {route.nav}
              </a>
            </li>
          ))}
        </ul>
        <div class="shell-nav-foot">
          <ThemeToggle />
          <button type="button" class="button button-ghost" onClick={signOut}>Sign out</button>
        </div>
      </nav>
      <main class="shell-main">{children}</main>
    </div>
  );
}
