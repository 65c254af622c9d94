// Vite build (three pages served by doppel under /static/, plus the Forge-only UI modifications page) and Vitest settings.
import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { fileURLToPath } from 'node:url';

const page = (name: string) => fileURLToPath(new URL(`./${name}.html`, import.meta.url));

/** Forge Custom UI cannot load Connect's all.js (and does not need it): drop the tag from the Forge build. */
const dropConnectScript = (): Plugin => ({
  name: 'doppel-drop-connect-all-js',
  transformIndexHtml: (html) => html.replace(/\s*<script src="https:\/\/connect-cdn\.atl-paas\.net\/all\.js"[^>]*><\/script>/, ''),
});

// `vite build` -> dist/ for doppel's /static/ (Connect); `vite build --mode forge` -> dist-forge/ with relative
// asset URLs and @forge/bridge bundled, staged as Custom UI resources by connect-descriptor/forge/stage-ui.sh.
export default defineConfig(({ mode }) => ({
  base: mode === 'forge' ? './' : '/static/',
  plugins: mode === 'forge' ? [dropConnectScript()] : [],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: mode === 'forge' ? 'dist-forge' : 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        panel: page('panel'),
        admin: page('admin'),
        dashboard: page('dashboard'),
        // jira:uiModifications exists on Forge only (Connect has no create-dialog hook).
        ...(mode === 'forge' ? { uim: page('uim') } : {}),
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    setupFiles: ['test/setup.ts'],
  },
}));
