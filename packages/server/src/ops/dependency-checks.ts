import { access, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { Client as MinioClient } from 'minio';
import type { Redis } from 'ioredis';
import type { HearthConfig } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { ReadinessCheck } from './readiness.js';

export function databaseCheck(pool: Pool): ReadinessCheck {
  // Named: each connection prepares it once (sent unnamed with HEARTH_DATABASE_PREPARED_STATEMENTS=false).
  const ping = { name: 'hearth_ready', text: 'SELECT 1' };
  return { name: 'database', check: async () => void (await pool.query(ping)) };
}

export function redisCheck(redis: Redis): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      const answer = await redis.ping();
      if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
    },
  };
}

/** Storage is S3 when configured, else a folder in the data dir. */
export function storageCheck(config: HearthConfig): ReadinessCheck {
  if (config.s3Endpoint && config.s3Bucket && config.s3AccessKey && config.s3SecretKey) {
    const endpoint = new URL(config.s3Endpoint);
    const client = new MinioClient({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80,
      useSSL: endpoint.protocol === 'https:',
      accessKey: config.s3AccessKey,
      secretKey: config.s3SecretKey,
      region: config.s3Region,
    });
    const bucket = config.s3Bucket;
    return {
      name: 'storage',
      async check() {
        if (!(await client.bucketExists(bucket))) throw new Error(`bucket ${bucket} does not exist`);
      },
    };
  }
  const dir = join(config.dataDir, 'storage');
  let created: Promise<unknown> | undefined;
  return {
    name: 'storage',
    async check() {
      created ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
        created = undefined;
        throw error;
      });
      await created;
      await access(dir, constants.W_OK);
    },
  };
}
