import { defineProject } from 'vitest/config';
import { projectTimeouts, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { ...projectTimeouts },
});
