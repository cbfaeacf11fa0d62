export { createPool, endPool, generatedStatement, type Pool, type PoolClient } from './pool.js';
export { withTransaction, type TransactionOptions } from './transaction.js';
export { migrateSystemSchema } from './migrate.js';
export { startEmbeddedPostgres, temporaryDataDir, type EmbeddedPostgres } from './embedded-postgres.js';
export { EmbeddedPostgresError } from './embedded-postgres-error.js';
