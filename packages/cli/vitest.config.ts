import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  // The tests spawn the built binary many times; a loaded machine makes each spawn slow.
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
