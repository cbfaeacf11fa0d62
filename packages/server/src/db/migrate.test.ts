import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { createLogger } from '../lib/logger.js';
import { migrateSystemSchema } from './migrate.js';
import { createPool, type Pool } from './pool.js';

const logger = createLogger('silent');
let database: TestDatabase;
const pools: Pool[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.drop();
});

function pool(): Pool {
  const created = createPool({ connectionString: database.url, max: 2, logger });
  pools.push(created);
  return created;
}

describe('system-schema migrations', () => {
  it('run exactly once when several nodes start at the same moment', async () => {
    const nodes = [pool(), pool(), pool(), pool()];
    const results = await Promise.all(nodes.map((node) => migrateSystemSchema(node, logger)));
    const applied = results.flat();
    // Each migration was applied by exactly one node; the others found it done.
    expect(new Set(applied).size).toBe(applied.length);
    const { rows } = await nodes[0]!.query<{ name: string }>(
      'SELECT name FROM hearth.migrations ORDER BY id',
    );
    expect(rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['create-migrations-table', 'system-schema']),
    );
    // The database was empty: what the four nodes applied between them is exactly what is recorded.
    expect([...applied].sort()).toEqual(rows.map((row) => row.name).sort());
  });

  it('is a no-op on an up-to-date database', async () => {
    expect(await migrateSystemSchema(pool(), logger)).toEqual([]);
  });

  it('keeps its bookkeeping inside the hearth schema, leaving public alone', async () => {
    const { rows } = await pool().query<{ count: string }>(
      "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(rows[0]?.count).toBe('0');
  });
});
