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
 * Timeouts for every project: projects do not inherit the root config's, and
 * on a loaded two-core machine starting a database or an app takes seconds.
 */
export const projectTimeouts = { testTimeout: 30_000, hookTimeout: 60_000 };
