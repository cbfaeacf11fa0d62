import { defineProject } from 'vitest/config';
import { projectTestOptions, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    // The e2e and browser tests start the app (and Chromium).
    ...projectTestOptions,
    // *.test-d.ts: type tests, checked by tsc as part of the run.
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
