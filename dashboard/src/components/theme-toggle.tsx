/** Switches between the light and dark theme (docs/dashboard.md, "Styles"). */
import { useState } from 'preact/hooks';
import { applyTheme, isDark } from '../theme.js';

export function ThemeToggle() {
  const [dark, setDark] = useState(isDark);
  const toggle = (): void => {
    applyTheme(dark ? 'light' : 'dark');
    setDark(!dark);
  };
  return (
    <button type="button" class="button button-ghost" aria-pressed={dark} onClick={toggle}>
      Dark mode
    </button>
  );
}
