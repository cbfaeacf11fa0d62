import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import { startEmbeddedPostgres, temporaryDataDir } from './embedded-postgres.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';

const logger = createLogger('silent');
const dataDir = temporaryDataDir('hearth-embedded-test-');

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('creates a cluster on first start, keeps its data across restarts, and moves to a free port', async () => {
    const first = await startEmbeddedPostgres({ dataDir, logger });
    try {
      await query(first.url, 'CREATE TABLE kept (value text)');
      await query(first.url, "INSERT INTO kept VALUES ('still here')");
      const [settings] = await query<{ user: string }>(first.url, 'SELECT current_user AS user');
      expect(settings?.user).toBe('postgres');
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedPostgres({ dataDir, logger });
    try {
      const rows = await query<{ value: string }>(second.url, 'SELECT value FROM kept');
      expect(rows).toEqual([{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('needs the generated password: no trust authentication', async () => {
    const running = await startEmbeddedPostgres({ dataDir, logger });
    try {
      const wrong = running.url.replace(/:[^:@/]+@/, ':wrong@');
      await expect(query(wrong, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await running.stop();
    }
  });

  it('refuses a data dir another Hearth holds, with a clear error', async () => {
    const running = await startEmbeddedPostgres({ dataDir, logger });
    try {
      // Pretend another live process (our parent) holds the lock.
      await writeFile(join(dataDir, 'hearth.lock'), `${process.ppid}\n`);
      const attempt = startEmbeddedPostgres({ dataDir, logger });
      await expect(attempt).rejects.toBeInstanceOf(EmbeddedPostgresError);
      await expect(attempt).rejects.toThrow(`in use by another Hearth (pid ${process.ppid})`);
      await writeFile(join(dataDir, 'hearth.lock'), `${process.pid}\n`);
    } finally {
      await running.stop();
    }
  });

  it('takes over a stale lock left by a process that died', async () => {
    await writeFile(join(dataDir, 'hearth.lock'), '999999999\n');
    const running = await startEmbeddedPostgres({ dataDir, logger });
    try {
      expect(await query(running.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await running.stop();
    }
  });

  it('reports a port that is taken when the port is fixed', async () => {
    const running = await startEmbeddedPostgres({ dataDir, logger });
    const otherDir = temporaryDataDir('hearth-embedded-port-');
    try {
      await expect(startEmbeddedPostgres({ dataDir: otherDir, port: running.port, logger })).rejects.toThrow(
        /embedded PostgreSQL failed to start/,
      );
    } finally {
      await running.stop();
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('starts in a private (0700) data dir, even as root, where PostgreSQL runs as another user', async () => {
    const privateDir = await mkdtemp(join(tmpdir(), 'hearth-private-'));
    try {
      const running = await startEmbeddedPostgres({ dataDir: privateDir, logger });
      try {
        expect(await query(running.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await running.stop();
      }
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  });
});
