import { rm } from 'node:fs/promises';
import { createLogger, startEmbeddedPostgres, temporaryDataDir } from './server-under-test.js';
import { ADMIN_URL_VARIABLE } from './database.js';

/**
 * Vitest global setup: provides a PostgreSQL server for the whole run, either
 * HEARTH_TEST_DATABASE_URL or an embedded one in a temp dir. Test files get
 * their own databases on it through createTestDatabase().
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.HEARTH_TEST_DATABASE_URL;
  if (external) {
    process.env[ADMIN_URL_VARIABLE] = external;
    return undefined;
  }
  const dataDir = temporaryDataDir('hearth-test-');
  const postgres = await startEmbeddedPostgres({ dataDir, logger: createLogger('warn') });
  process.env[ADMIN_URL_VARIABLE] = postgres.adminUrl;
  return async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
