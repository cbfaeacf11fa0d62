import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Set by the global setup; names the server test databases are created on. */
export const ADMIN_URL_VARIABLE = 'HEARTH_TEST_ADMIN_DATABASE_URL';

export interface TestDatabase {
  /** Connection string of a fresh, empty database. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env[ADMIN_URL_VARIABLE] ?? process.env.HEARTH_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      `${ADMIN_URL_VARIABLE} is not set: run tests through the root vitest config, whose global setup starts PostgreSQL`,
    );
  }
  return url;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file (or one test), dropped by drop(). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hearth_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}
