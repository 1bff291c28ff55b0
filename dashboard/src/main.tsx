// The dashboard's entry (docs/dashboard.md): the stylesheet, the theme, then the app.
import { render } from 'preact';
import './styles.css';
import { applyTheme, storedTheme } from './theme.js';
import { App } from './app.js';

applyTheme(storedTheme());
render(<App />, document.getElementById('app')!);
