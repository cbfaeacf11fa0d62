import { defaultClientConditions, defineConfig } from 'vite';

// Served by the Hearth server under /_/. JSX is compiled by Vite's built-in
// transform with the automatic runtime, so no React plugin is needed.
// `@hearth/source` makes Vite bundle @hearth/client from its TypeScript
// sources, so the dashboard never depends on a stale or missing client build.
export default defineConfig({
  base: '/_/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { conditions: ['@hearth/source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8090',
      '/health': 'http://127.0.0.1:8090',
      '/ready': 'http://127.0.0.1:8090',
    },
  },
});
