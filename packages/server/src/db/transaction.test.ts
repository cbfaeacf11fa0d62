import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { createLogger } from '../lib/logger.js';
import { createPool, type Pool } from './pool.js';
import { withTransaction } from './transaction.js';

let database: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 3, logger: createLogger('silent') });
  await pool.query('CREATE TABLE items (id int PRIMARY KEY)');
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const count = async () => Number((await pool.query('SELECT count(*) FROM items')).rows[0].count);

describe('withTransaction', () => {
  it('commits when the work resolves', async () => {
    const result = await withTransaction(pool, async (client) => {
      await client.query('INSERT INTO items VALUES (1), (2)');
      return 'done';
    });
    expect(result).toBe('done');
    expect(await count()).toBe(2);
  });

  it('rolls back everything when the work throws, and rethrows', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await client.query('INSERT INTO items VALUES (3)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count()).toBe(2);
  });

  it('rolls back on a database error and leaves the pool usable', async () => {
    await expect(
      withTransaction(pool, async (client) => {
        await client.query('INSERT INTO items VALUES (4)');
        await client.query('INSERT INTO items VALUES (1)');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await count()).toBe(2);
    // Every connection went back to the pool in a clean state.
    await Promise.all([1, 2, 3, 4, 5].map(() => pool.query('SELECT 1')));
    expect(pool.idleCount + pool.totalCount).toBeGreaterThan(0);
  });

  it('honours the isolation level', async () => {
    const level = await withTransaction(
      pool,
      async (client) => (await client.query('SHOW transaction_isolation')).rows[0].transaction_isolation,
      { isolation: 'serializable' },
    );
    expect(level).toBe('serializable');
  });
});
