/**
 * The dashboard's root: picks the route for the hash path, guards superuser pages, loads
 * the page lazily and renders it inside the app shell (public pages render bare).
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isSuperuserSignedIn } from './pb.js';
import { matchPath, navigate, usePath } from './router.js';
import { HOME_PATH, ROUTES, type PageProps, type Route } from './routes.js';
import { AppShell } from './components/app-shell.js';
import { Loading } from './components/loading.js';
import { NotFound } from './components/not-found.js';
import { Toasts } from './components/toasts.js';

/** The loaded page modules, so going back to a page does not flash the loading state. */
const loaded = new Map<Route, ComponentType<PageProps>>();

export function App() {
  const path = usePath();
  const found = findRoute(path);
  const blocked = found?.route.access === 'superuser' && !isSuperuserSignedIn();
  const [, setVersion] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    if (path === '/' || path === '') navigate(HOME_PATH, { replace: true });
    else if (blocked) navigate('/login', { replace: true });
  }, [path, blocked]);

  useEffect(() => {
    if (!found || blocked || loaded.has(found.route)) return;
    let live = true;
    setFailed(null);
    found.route.page().then(
      (module) => {
        loaded.set(found.route, module.default);
        if (live) setVersion((v) => v + 1);
      },
      (err: unknown) => live && setFailed(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [found?.route, blocked]);

  const Page = found && !blocked ? loaded.get(found.route) : undefined;
  let content;
  if (failed) content = <NotFound title="This page failed to load" detail={`${failed} Reload the page to try again.`} />;
  else if (!found) content = path === '/' ? <Loading /> : <NotFound title="Page not found" detail={`Nothing lives at #${path}.`} />;
  else if (!Page) content = <Loading />;
  else content = <Page params={found.params} />;

  const bare = found?.access === 'public' || !isSuperuserSignedIn();
  return (
    <>
      {bare ? <main class="bare">{content}</main> : <AppShell path={path}>{content}</AppShell>}
      <Toasts />
    </>
  );
}

function findRoute(path: string): { route: Route; params: Record<string, string>; access: Route['access'] } | undefined {
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (params) return { route, params, access: route.access };
  }
  return undefined;
}
