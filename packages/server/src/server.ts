import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { pendingSetupToken } from './admin/setup-token.js';
import { createAdmin } from './admin/create-admin.js';
import { createAuth } from './auth/create-auth.js';
import { createCollections, type Collections } from './collections/create-collections.js';
import { WriteRateLimit } from './collections/write-rate-limit.js';
import type { HearthConfig } from './config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embedded-postgres.js';
import { migrateSystemSchema } from './db/migrate.js';
import { createPool, endPool, type Pool } from './db/pool.js';
import { createApp } from './http/create-app.js';
import { retiredKeyPublishSeconds } from './auth/signing-keys.js';
import { assertPortFree } from './lib/free-port.js';
import { createLogger } from './lib/logger.js';
import { createRedisClient } from './lib/redis-connection.js';
import { countOutboxByStatus } from './mail/outbox.js';
import { startCleanup } from './ops/cleanup.js';
import { databaseCheck, redisCheck, storageCheck } from './ops/dependency-checks.js';
import { DatabaseHealth } from './ops/database-health.js';
import { createMetrics } from './ops/metrics.js';
import { resealSecrets } from './secrets/encrypted-columns.js';
import { FieldCipher } from './secrets/field-encryption.js';
import { ensureSecret, secretNames } from './secrets/instance-secrets.js';

export interface HearthInstance {
  /** Where the HTTP server listens, e.g. http://127.0.0.1:8090. */
  url: string;
  port: number;
  /** The dashboard link that creates the first admin, while none exists. */
  setupUrl: string | undefined;
  /** Whether this process started its own PostgreSQL. */
  embeddedDatabase: boolean;
  pool: Pool;
  logger: Logger;
  /** Schema, records and the change-event bus (realtime subscribes to `collections.events`). */
  collections: Collections;
  /**
   * Stops accepting connections, lets in-flight requests finish (up to the
   * shutdown timeout), then closes the pool, Redis and the embedded database.
   */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
}

function closeHttpServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    // Keep-alive connections with no request in flight would hold close() open.
    server.closeIdleConnections();
  });
}

/** Starts Hearth: database, migrations, secrets, then the HTTP server. */
export async function startHearth(config: HearthConfig, options: StartOptions = {}): Promise<HearthInstance> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
    }
  };

  try {
    // Before the data dir or the database is touched: a taken port is one clear error, not a new cluster.
    if (config.port !== 0) await assertPortFree(config.port, config.host);
    let databaseUrl = config.databaseUrl;
    let embedded: EmbeddedPostgres | undefined;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedDatabasePort,
        logger,
      });
      cleanups.push(() => embedded!.stop());
      databaseUrl = embedded.url;
    }

    const pool = createPool({
      connectionString: databaseUrl,
      max: config.databasePoolMax,
      logger,
      preparedStatements: config.databasePreparedStatements,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      poolWaitMs: config.databasePoolWaitMs,
    });
    cleanups.push(() => endPool(pool));
    await migrateSystemSchema(pool, logger);
    await ensureSecret(pool, secretNames.signingKey);
    const fieldCipher = new FieldCipher(config.encryptionKey, config.encryptionKeyPrevious);
    await resealSecrets(pool, fieldCipher, logger);

    const readinessChecks = [databaseCheck(pool), storageCheck(config)];
    const databaseHealth = new DatabaseHealth({ pool, logger, graceMs: config.healthGraceSeconds * 1000 });
    databaseHealth.start();
    cleanups.push(async () => databaseHealth.stop());
    let redis: Redis | undefined;
    if (config.redisUrl) {
      const client = createRedisClient({ url: config.redisUrl, prefix: config.redisPrefix, logger });
      cleanups.push(async () => void client.disconnect());
      readinessChecks.push(redisCheck(client));
      redis = client;
    }

    const metrics = config.metricsEnabled
      ? createMetrics({ outboxByStatus: () => countOutboxByStatus(pool), logger })
      : undefined;
    // Known once the server listens (HEARTH_PORT=0 picks a port); links in mail need it.
    let listeningUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
    const auth = await createAuth({
      config,
      logger,
      pool,
      redis,
      fieldCipher,
      publicUrl: () => config.publicUrl ?? listeningUrl,
      mailDeliveries: metrics?.mailDeliveries,
    });
    cleanups.push(async () => auth.close());
    const admin = createAdmin(auth);
    const collections = await createCollections({
      pool,
      logger,
      limits: config,
      writes: new WriteRateLimit(redis, {
        perUser: config.writeRateLimitUser,
        perIp: config.writeRateLimitIp,
      }),
    });
    cleanups.push(() => collections.close());

    // Record filters travel in the query string; 64 KiB of headers lets a long one reach the
    // filter parser, which refuses it with a clean 400 instead of a bare 431.
    const listener = createApp({
      config,
      logger,
      pool,
      redis,
      metrics,
      readinessChecks,
      databaseHealth,
      auth,
      admin,
      collections,
    });
    // Slowloris: a client gets a bounded time for its headers, for its whole request (a body
    // trickled a byte at a time included) and for sitting idle between requests. Node checks
    // the first two every connectionsCheckingInterval (30 s by default: too coarse here).
    const server = createServer(
      {
        maxHeaderSize: 64 * 1024,
        headersTimeout: Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs),
        requestTimeout: config.httpRequestTimeoutMs,
        keepAliveTimeout: config.httpKeepAliveTimeoutMs,
        connectionsCheckingInterval: 1_000,
      },
      listener,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    cleanups.push(() => closeHttpServer(server, config.shutdownTimeoutMs));

    const cleanupTimer = startCleanup({
      pool,
      logger,
      schedule: {
        intervalSeconds: config.cleanupInterval,
        retention: {
          endedSessionDays: config.endedSessionRetentionDays,
          outboxDays: config.outboxRetentionDays,
          retiredSigningKeySeconds: retiredKeyPublishSeconds(config.accessTokenTtl),
          revokedCredentialDays: config.revokedCredentialRetentionDays,
        },
      },
      deletedRows: metrics?.cleanupDeletedRows,
    });
    // Runs before the pool closes (steps run in reverse): a pass in progress stops after its current batch.
    cleanups.push(() => cleanupTimer.stop());

    const { port } = server.address() as AddressInfo;
    const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const url = `http://${displayHost.includes(':') ? `[${displayHost}]` : displayHost}:${port}`;
    const publicUrl = config.publicUrl ?? url;
    listeningUrl = url;
    const setupToken = await pendingSetupToken(pool);
    const setupUrl = setupToken ? `${publicUrl}/_/setup?token=${encodeURIComponent(setupToken)}` : undefined;
    logger.info({ url, embeddedDatabase: Boolean(embedded) }, 'hearth is listening');

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      setupUrl,
      embeddedDatabase: Boolean(embedded),
      pool,
      logger,
      collections,
      close() {
        closing ??= cleanup();
        return closing;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
