import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    // The e2e and browser tests start the app (and Chromium); the root's timeouts are not inherited by projects.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // *.test-d.ts: type tests, checked by tsc as part of the run.
    typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
