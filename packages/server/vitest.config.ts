import { defineProject } from 'vitest/config';
import { projectTestOptions, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { ...projectTestOptions },
});
