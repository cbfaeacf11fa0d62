import { defineProject } from 'vitest/config';
import { projectTimeouts, workspaceAliases } from '../../vitest.shared.ts';

export default defineProject({
  oxc: { jsx: { runtime: 'automatic' } },
  resolve: { alias: workspaceAliases },
  test: { ...projectTimeouts },
});
