import type { Logger } from 'pino';
import { databaseBusy, requestAborted } from '../db/database-errors.js';
import type { Pool } from '../db/pool.js';
import { ConcurrencyLimit } from '../lib/concurrency-limit.js';
import { ensureSecret, secretNames } from '../secrets/instance-secrets.js';
import { ChangeEvents } from './change-events.js';
import { CursorCodec } from '../lib/keyset-cursor.js';
import { RecordService, type RecordLimits } from './record-service.js';
import { SchemaService } from './schema-service.js';
import type { WriteRateLimit } from './write-rate-limit.js';

/** Collections, records and rules: what the rest of the server may use. */
export interface Collections {
  schemas: SchemaService;
  records: RecordService;
  /** Every committed record write, after commit (realtime listens here). */
  events: ChangeEvents;
  pool: Pool;
  /** Lists run caller-written filters: they may hold at most half the pool at once. */
  listSlots: ConcurrencyLimit;
  /** The record write rate limit (HEARTH_WRITE_RATE_LIMIT_USER and _IP). */
  writes: WriteRateLimit;
  close(): Promise<void>;
}

/** How often a node checks for a schema another node applied. */
const SCHEMA_POLL_MS = 2_000;

export async function createCollections(options: {
  pool: Pool;
  logger: Logger;
  limits: RecordLimits;
  /** The record write rate limit (HEARTH_WRITE_RATE_LIMIT_USER and _IP). */
  writes: WriteRateLimit;
}): Promise<Collections> {
  const { pool, logger, writes } = options;
  const schemas = new SchemaService(pool, logger);
  await schemas.load();
  await schemas.ensureDeleteTriggers();
  schemas.watch(SCHEMA_POLL_MS);
  const cursors = CursorCodec.signed(await ensureSecret(pool, secretNames.signingKey));
  const events = new ChangeEvents();
  const records = new RecordService(schemas, cursors, events, options.limits);
  // Lists run caller-written filters, the one read that can be slow: they may hold at most
  // half the pool, so record reads, writes and sign-ins keep connections under a flood of them.
  const listSlots = new ConcurrencyLimit(
    Math.max(1, Math.floor((pool.options.max ?? 10) / 2)),
    pool.options.connectionTimeoutMillis ?? 5_000,
    () => databaseBusy(),
    requestAborted,
  );
  return {
    schemas,
    records,
    events,
    pool,
    listSlots,
    writes,
    async close() {
      schemas.stop();
    },
  };
}
