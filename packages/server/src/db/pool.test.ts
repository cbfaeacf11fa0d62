import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { createLogger } from '../lib/logger.js';
import { createHash } from 'node:crypto';
import { createPool, generatedStatement, type Pool } from './pool.js';

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

describe('generatedStatement', () => {
  const sha1 = (text: string) => createHash('sha1').update(text).digest('base64url');

  it('names a statement by a hash of its scope and text, the same on every call', () => {
    const first = generatedStatement('7', 'SELECT $1::int', [1]);
    const again = generatedStatement('7', 'SELECT $1::int', [2]);
    expect(first.name).toBe(`hearth.gen.${sha1('7\0SELECT $1::int')}`);
    expect(again).toEqual({ name: first.name, text: 'SELECT $1::int', values: [2] });
  });

  it('gives another name to the same text under another schema version', () => {
    expect(generatedStatement('8', 'SELECT $1::int', [1]).name).not.toBe(
      generatedStatement('7', 'SELECT $1::int', [1]).name,
    );
  });

  it('still names correctly once more texts have been seen than it remembers', () => {
    for (let i = 0; i < 1_500; i += 1) generatedStatement('1', `SELECT ${i}`, []);
    expect(generatedStatement('1', 'SELECT 3', []).name).toBe(`hearth.gen.${sha1('1\0SELECT 3')}`);
    expect(generatedStatement('1', 'SELECT 1499', []).name).toBe(`hearth.gen.${sha1('1\0SELECT 1499')}`);
  });
});
