export { startHearth, type HearthInstance, type StartOptions } from './server.js';
export { loadConfig, ConfigError, configOptions, type HearthConfig } from './config/index.js';
export { errorTable, errorCodes, HearthError, type ErrorCode } from './errors/index.js';
export {
  createPool,
  withTransaction,
  migrateSystemSchema,
  startEmbeddedPostgres,
  temporaryDataDir,
  EmbeddedPostgresError,
  type EmbeddedPostgres,
  type Pool,
} from './db/index.js';
export { createLogger, type Logger } from './lib/logger.js';
export { findFreePort } from './lib/free-port.js';
