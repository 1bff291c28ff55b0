/**
 * Light and dark mode (docs/dashboard.md, "Styles"): the system's preference unless the user
 * picked one with the toggle, kept in localStorage. styles.css reads `data-theme` on <html>.
 */

export type Theme = 'light' | 'dark' | 'system';

const KEY = 'plinth_dashboard_theme';

/** The theme the user picked, or `system`. */
export function storedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Whether the page currently shows the dark theme. */
export function isDark(): boolean {
  const theme = storedTheme();
  return theme === 'dark' || (theme === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
}

/** Sets `theme` on the page and remembers it (`system` forgets the choice). */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') {
    localStorage.removeItem(KEY);
    delete document.documentElement.dataset.theme;
  } else {
    localStorage.setItem(KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}
