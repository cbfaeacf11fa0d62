import { defineConfig } from 'vitest/config';
import { projectTestOptions, workspaceAliases } from './vitest.shared.ts';

export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    projects: ['packages/*'],
    // One PostgreSQL for the whole run; each test file creates its own databases on it.
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    ...projectTestOptions,
    // CI asks for a machine-readable report (to fail on skipped tests) without changing the test command.
    ...(process.env.HEARTH_TEST_JSON_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.HEARTH_TEST_JSON_REPORT } }
      : {}),
  },
});
