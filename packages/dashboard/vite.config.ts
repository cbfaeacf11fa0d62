import { defineConfig } from 'vite';

// Served by the Hearth server under /_/. JSX is compiled by Vite's built-in
// transform with the automatic runtime, so no React plugin is needed.
export default defineConfig({
  base: '/_/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  oxc: { jsx: { runtime: 'automatic' } },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8090',
      '/health': 'http://127.0.0.1:8090',
      '/ready': 'http://127.0.0.1:8090',
    },
  },
});
