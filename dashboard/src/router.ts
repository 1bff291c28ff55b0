/**
 * The hash router (docs/dashboard.md, "Routes"): `#/collections/posts` is the path
 * `/collections/posts`; patterns name their parameters `{name}`.
 */
import { useEffect, useState } from 'preact/hooks';

/** The path in the location's hash, without its query: `#/logs?x=1` → `/logs`. */
export function currentPath(): string {
  const hash = location.hash.replace(/^#/, '');
  const query = hash.indexOf('?');
  const path = query >= 0 ? hash.slice(0, query) : hash;
  return path.startsWith('/') ? path : `/${path}`;
}

/** Goes to `path` (`/collections`); `replace` leaves no history entry. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const hash = `#${path}`;
  if (options.replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  // NOTE: pushState and replaceState fire no hashchange; the app listens for this one.
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The current path, re-rendering on every hash change. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = (): void => setPath(currentPath());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return path;
}

/** The parameters of `path` under `pattern` (`/collections/{name}`), or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    const value = have[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (value === '') return null;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) {
      return null;
    }
  }
  return params;
}

/** The `#/…` link to `path` with each parameter value encoded: `href('/collections/{name}', { name })`. */
export function href(pattern: string, params: Record<string, string> = {}): string {
  return `#${pattern.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''))}`;
}
