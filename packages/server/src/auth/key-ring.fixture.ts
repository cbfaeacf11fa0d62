import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createLogger } from '../lib/logger.js';
import { FieldCipher } from '../secrets/field-encryption.js';
import { SigningKeyRing } from './signing-keys.js';

/**
 * For the token tests beside this file (not built into dist): a database of
 * their own with the system schema, and a started signing-key ring, for the
 * whole file.
 */
export function useKeyRing(ttlSeconds: number): { readonly pool: Pool; readonly ring: SigningKeyRing } {
  const logger = createLogger('silent');
  let database: TestDatabase | undefined;
  const state = {} as { pool: Pool; ring: SigningKeyRing };
  beforeAll(async () => {
    database = await createTestDatabase();
    state.pool = createPool({ connectionString: database.url, max: 2, logger });
    await migrateSystemSchema(state.pool, logger);
    state.ring = new SigningKeyRing(state.pool, ttlSeconds, new FieldCipher(undefined));
    await state.ring.start();
  });
  afterAll(async () => {
    state.ring?.stop();
    await state.pool?.end();
    await database?.drop();
  });
  return state;
}

/** What a promise settles as: `ok` when it resolves, else the table error code it rejects with. */
export const settledCode = (promise: Promise<unknown>, ok = 'resolved'): Promise<string> =>
  promise.then(
    () => ok,
    (error: unknown) => (error instanceof HearthError ? error.code : String(error)),
  );
