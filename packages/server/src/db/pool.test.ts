import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { createLogger } from '../lib/logger.js';
import { createPool, type Pool } from './pool.js';

let database: TestDatabase;
const pools: Pool[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.drop();
});

function pool(preparedStatements: boolean | undefined): Pool {
  const created = createPool({
    connectionString: database.url,
    max: 1,
    logger: createLogger('silent'),
    ...(preparedStatements === undefined ? {} : { preparedStatements }),
  });
  pools.push(created);
  return created;
}

/** Runs a named query twice on the pool's one connection, then lists what that connection has prepared. */
async function preparedAfterNamedQuery(target: Pool): Promise<string[]> {
  for (const value of [1, 2]) {
    const { rows } = await target.query<{ doubled: number }>({
      name: 'pool-test.double',
      text: 'SELECT $1::int * 2 AS doubled',
      values: [value],
    });
    expect(rows[0]?.doubled).toBe(value * 2);
  }
  const { rows } = await target.query<{ name: string }>('SELECT name FROM pg_prepared_statements');
  return rows.map((row) => row.name);
}

describe('createPool', () => {
  it('keeps named statements prepared on the connection by default', async () => {
    expect(await preparedAfterNamedQuery(pool(undefined))).toEqual(['pool-test.double']);
  });

  it('sends named statements unnamed when prepared statements are off (transaction-mode poolers)', async () => {
    expect(await preparedAfterNamedQuery(pool(false))).toEqual([]);
  });

  it('still passes plain text queries and values through when prepared statements are off', async () => {
    const { rows } = await pool(false).query<{ sum: number }>('SELECT $1::int + $2::int AS sum', [2, 3]);
    expect(rows[0]?.sum).toBe(5);
  });
});
