import type { Pool, PoolClient } from './pool.js';

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

/**
 * Runs `work` in one transaction on one connection: commit when it resolves,
 * roll back when it throws. The connection is always returned to the pool.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let released = false;
  try {
    await client.query(
      options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN',
    );
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // A broken connection must not go back to the pool.
      client.release(rollbackError as Error);
      released = true;
    }
    throw error;
  } finally {
    if (!released) client.release();
  }
}
