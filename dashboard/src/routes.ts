/**
 * THE route table (docs/dashboard.md, "Adding a screen"): one line per screen, mapping a
 * hash path pattern to its lazily loaded page. A page module's default export is a
 * component taking `{ params }`; it lives under pages/<area>/.
 */
import type { ComponentType } from 'preact';

/** What every page receives: the `{name}` parameters of its pattern. */
export interface PageProps {
  params: Record<string, string>;
}

/** One screen. */
export interface Route {
  /** `/collections/{name}`; the first matching route wins. */
  path: string;
  /** Loads the page module (a dynamic import, so each page is its own chunk). */
  page: () => Promise<{ default: ComponentType<PageProps> }>;
  /** Who may open it: `superuser` pages send everyone else to `#/login`; `public` pages render bare, without the shell. */
  access: 'superuser' | 'public';
  /** The left navigation's label, for the screens listed there, in this order. */
  nav?: string;
}

export const ROUTES: readonly Route[] = [
  { path: '/collections', access: 'superuser', nav: 'Collections', page: () => import('./pages/collections/collections-page.js') },
  { path: '/collections/{name}/rules', access: 'superuser', page: () => import('./pages/rules/rules-page.js') },
  { path: '/collections/{name}', access: 'superuser', page: () => import('./pages/collections/collections-page.js') },
  { path: '/collections/{name}/schema', access: 'superuser', page: () => import('./pages/schema/schema-page.js') },
  { path: '/new-collection', access: 'superuser', page: () => import('./pages/schema/schema-page.js') },
  { path: '/import-collections', access: 'superuser', page: () => import('./pages/schema/import-export-page.js') },
  { path: '/login', access: 'public', page: () => import('./pages/auth/login-page.js') },
  { path: '/install/{token}', access: 'public', page: () => import('./pages/install/install-page.js') },
  { path: '/logs', access: 'superuser', nav: 'Logs', page: () => import('./pages/logs/logs-page.js') },
  { path: '/sql', access: 'superuser', nav: 'SQL', page: () => import('./pages/sql/sql-page.js') },
  { path: '/settings', access: 'superuser', nav: 'Settings', page: () => import('./pages/settings/settings-page.js') },
  { path: '/settings/{section}', access: 'superuser', page: () => import('./pages/settings/settings-page.js') },
  { path: '/auth/confirm-verification/{token}', access: 'public', page: () => import('./pages/public/confirm-verification-page.js') },
  { path: '/auth/confirm-password-reset/{token}', access: 'public', page: () => import('./pages/public/confirm-password-reset-page.js') },
  { path: '/auth/confirm-email-change/{token}', access: 'public', page: () => import('./pages/public/confirm-email-change-page.js') },
  { path: '/auth/oauth2-redirect-success', access: 'public', page: () => import('./pages/public/oauth2-redirect-page.js') },
  { path: '/auth/oauth2-redirect-failure', access: 'public', page: () => import('./pages/public/oauth2-redirect-page.js') },
];

/** Where `#/` and a signed-in user landing on `#/login` go. */
export const HOME_PATH = '/collections';
