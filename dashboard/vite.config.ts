// The dashboard's build (docs/dashboard.md): scripts/build.mjs runs it into dist/dashboard.
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  base: '/_/',
  plugins: [preact()],
  // The server's own filter lexer and parser (pure TypeScript), so the rule editor checks the very same grammar.
  resolve: { alias: { '@plinth/filter': fileURLToPath(new URL('../src/filter', import.meta.url)) } },
  // `npx vite dashboard`: hot reload on Vite's port, the API proxied to a local `plinth serve`.
  server: { proxy: { '/api': process.env.PLINTH_URL ?? 'http://127.0.0.1:8090' } },
  build: {
    target: 'es2022',
    // NOTE: no inline script or style may reach index.html: the server's CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
