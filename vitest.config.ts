import { defineConfig } from 'vitest/config';
import { workspaceAliases } from './vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    projects: ['packages/*'],
    // One PostgreSQL for the whole run; each test file creates its own databases on it.
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
