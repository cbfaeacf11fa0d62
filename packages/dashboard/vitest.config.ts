import { defineProject } from 'vitest/config';
import { projectTestOptions, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { alias: workspaceAliases },
  test: { ...projectTestOptions },
});
