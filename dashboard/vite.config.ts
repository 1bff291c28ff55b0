// The dashboard's build (docs/dashboard.md): scripts/build.mjs runs it into dist/dashboard.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  base: '/_/',
  plugins: [preact()],
  build: {
    target: 'es2022',
    // NOTE: no inline script or style may reach index.html: the server's CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
