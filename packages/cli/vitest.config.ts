import { defineProject } from 'vitest/config';
import { projectTestOptions, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  // The tests spawn the built binary many times; a loaded machine makes each spawn slow.
  test: { ...projectTestOptions, testTimeout: 60_000, hookTimeout: 60_000 },
});
