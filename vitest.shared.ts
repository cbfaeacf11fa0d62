import { fileURLToPath } from 'node:url';

/**
 * Tests import sibling packages from their TypeScript sources, so a test run
 * never depends on a stale build. Node at run time uses each package's dist.
 */
const source = (pkg: string): string =>
  fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export const workspaceAliases = {
  '@hearth/schema': source('schema'),
  '@hearth/server': source('server'),
  '@hearth/client': source('client'),
  '@hearth/cli': source('cli'),
  '@hearth/testkit': source('testkit'),
};

/**
 * Options every project spreads into its `test` config, since projects do not
 * inherit the root config's. Timeouts: on a loaded two-core machine starting a
 * database or an app takes seconds. requireAssertions: a test that asserts
 * nothing fails instead of passing while proving nothing. The declared-answers
 * setup fails a file in which a route answered what it does not declare.
 */
export const projectTestOptions = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  expect: { requireAssertions: true },
  setupFiles: [fileURLToPath(new URL('./vitest.declared-answers.ts', import.meta.url))],
};
