import { z } from 'zod';
import { parseEncryptionKey } from '../lib/encryption-key.js';
import { redirectPrefixProblem } from '../lib/redirect-urls.js';
import { oauthProviders } from './oauth-provider-options.js';

/**
 * The one list of configuration options. Each option is read from its
 * environment variable, or from the config file under `key`; the environment
 * wins. docs/configuration.md is checked against this list by a test.
 */
export interface ConfigOption<T> {
  env: `HEARTH_${string}`;
  key: string;
  description: string;
  /** Shown in the docs; also the value used when the option is unset. */
  default?: string;
  secret?: boolean;
  /**
   * The schema's messages quote the offending part of the value themselves
   * (with anything secret in it masked), so a refusal does not append the
   * whole value as well.
   */
  errorsQuoteTheValue?: boolean;
  schema: z.ZodType<T>;
}

const port = z
  .string()
  .regex(/^\d+$/, 'must be a whole number from 0 to 65535')
  .transform(Number)
  .refine((n) => n >= 0 && n <= 65535, 'must be a whole number from 0 to 65535');

const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${max}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be a whole number from 1 to ${max}`);

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const urlWithProtocols = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return protocols.includes(url.protocol) && url.hostname !== '';
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const byteSize = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'must be a size such as 512kb, 1mb or 2gb')
  .transform((value) => {
    const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value);
    const unit = (match?.[2] ?? 'b').toLowerCase();
    return Math.floor(Number(match?.[1]) * (units[unit] ?? 1));
  })
  .refine((n) => n >= 1, 'must be at least 1 byte');

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** HEARTH_AUTH_REDIRECT_URLS: every entry must be a prefix a redirect can match, or the start fails naming it. */
const redirectPrefixes = list.transform((entries, ctx) => {
  for (const [index, entry] of entries.entries()) {
    const problem = redirectPrefixProblem(entry);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `entry ${index + 1} of ${entries.length}: ${problem}` });
      return z.NEVER;
    }
  }
  return entries;
});

const seconds = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of seconds from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number of seconds from ${min} to ${max}`);

const milliseconds = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of milliseconds from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number of milliseconds from ${min} to ${max}`);

const positiveNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a positive number')
  .transform(Number)
  .refine((n) => n > 0, 'must be a positive number');

const KEY_HINT = 'must be 32 bytes in base64 or base64url, e.g. the output of `openssl rand -base64 32`';

const encryptionKey = z.string().transform((value, ctx) => {
  const key = parseEncryptionKey(value);
  if (!key) {
    ctx.addIssue({ code: 'custom', message: KEY_HINT });
    return z.NEVER;
  }
  return key;
});

const encryptionKeys = z.string().transform((value, ctx) => {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const keys: Buffer[] = [];
  for (const [index, item] of items.entries()) {
    const key = parseEncryptionKey(item);
    if (!key) {
      ctx.addIssue({ code: 'custom', message: `key ${index + 1} of ${items.length} ${KEY_HINT}` });
      return z.NEVER;
    }
    keys.push(key);
  }
  return keys;
});

export const configOptions = {
  port: {
    env: 'HEARTH_PORT',
    key: 'port',
    description: 'TCP port the HTTP server listens on. 0 picks a free port.',
    default: '8090',
    schema: port,
  },
  host: {
    env: 'HEARTH_HOST',
    key: 'host',
    description: 'Address the HTTP server binds to. Use 0.0.0.0 to accept connections from other machines.',
    default: '127.0.0.1',
    schema: z.string().min(1, 'must not be empty'),
  },
  publicUrl: {
    env: 'HEARTH_PUBLIC_URL',
    key: 'publicUrl',
    description:
      'The URL users reach this server at (for links in mail, OAuth redirects and token issuers). Defaults to http://HOST:PORT.',
    schema: urlWithProtocols(['http:', 'https:']),
  },
  dataDir: {
    env: 'HEARTH_DATA_DIR',
    key: 'dataDir',
    description: 'Directory for the embedded database, local file storage and the instance lock.',
    default: './hearth-data',
    schema: z.string().min(1, 'must not be empty'),
  },
  databaseUrl: {
    env: 'HEARTH_DATABASE_URL',
    key: 'databaseUrl',
    description:
      'PostgreSQL (>= 15) connection string. When unset, Hearth starts an embedded PostgreSQL in the data dir.',
    secret: true,
    schema: urlWithProtocols(['postgres:', 'postgresql:']),
  },
  databasePoolMax: {
    env: 'HEARTH_DATABASE_POOL_MAX',
    key: 'databasePoolMax',
    description: 'Largest number of connections this process opens to PostgreSQL.',
    default: '10',
    schema: positiveInt(1000),
  },
  databasePreparedStatements: {
    env: 'HEARTH_DATABASE_PREPARED_STATEMENTS',
    key: 'databasePreparedStatements',
    description:
      'Keep the hottest queries (sign-in, refresh, token checks) as named prepared statements on each connection, so PostgreSQL plans them once. Set false behind a transaction-mode pooler that cannot keep them (PgBouncer before 1.21, or with max_prepared_statements = 0).',
    default: 'true',
    schema: boolean,
  },
  databaseStatementTimeoutMs: {
    env: 'HEARTH_DATABASE_STATEMENT_TIMEOUT_MS',
    key: 'databaseStatementTimeoutMs',
    description:
      'The longest one SQL statement of an API request may run, in milliseconds; PostgreSQL cancels it then and the request gets 503 db/timeout. Migrations and schema changes have no limit. 0 turns the budget off.',
    default: '5000',
    schema: milliseconds(0, 600_000),
  },
  databasePoolWaitMs: {
    env: 'HEARTH_DATABASE_POOL_WAIT_MS',
    key: 'databasePoolWaitMs',
    description:
      'How long a request waits for a free database connection, in milliseconds, when all HEARTH_DATABASE_POOL_MAX are busy; then it gets 503 db/busy with Retry-After.',
    default: '5000',
    schema: milliseconds(1, 600_000),
  },
  healthGraceSeconds: {
    env: 'HEARTH_HEALTH_GRACE_SECONDS',
    key: 'healthGraceSeconds',
    description:
      'How long the database may stay unreachable before /health fails (503 db/unavailable), so that an orchestrator restarts a process that is not recovering by itself. Shorter outages (an embedded PostgreSQL being restarted, a failover) fail only /ready.',
    default: '60',
    schema: seconds(1, 86_400),
  },
  embeddedDatabasePort: {
    env: 'HEARTH_EMBEDDED_DATABASE_PORT',
    key: 'embeddedDatabasePort',
    description: 'Port for the embedded PostgreSQL. When unset, a free port is picked at each start.',
    schema: port,
  },
  redisUrl: {
    env: 'HEARTH_REDIS_URL',
    key: 'redisUrl',
    description: 'Redis connection string. When set, rate limits and realtime fan-out are shared through it.',
    secret: true,
    schema: urlWithProtocols(['redis:', 'rediss:']),
  },
  redisPrefix: {
    env: 'HEARTH_REDIS_PREFIX',
    key: 'redisPrefix',
    description:
      'Put in front of every Redis key and pub/sub channel Hearth uses (rate limits, revocation broadcasts), so that several deployments can share one Redis. Give each deployment its own.',
    default: 'hearth:',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{0,64}$/, 'must be at most 64 letters, digits or : . _ -, e.g. shop-prod:'),
  },
  s3Endpoint: {
    env: 'HEARTH_S3_ENDPOINT',
    key: 's3Endpoint',
    description:
      'S3 or MinIO endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com. When set, files are stored there instead of the data dir; HEARTH_S3_BUCKET, HEARTH_S3_ACCESS_KEY and HEARTH_S3_SECRET_KEY are then required.',
    schema: urlWithProtocols(['http:', 'https:']),
  },
  s3Bucket: {
    env: 'HEARTH_S3_BUCKET',
    key: 's3Bucket',
    description: 'Bucket that holds all stored files.',
    schema: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
  },
  s3AccessKey: {
    env: 'HEARTH_S3_ACCESS_KEY',
    key: 's3AccessKey',
    description: 'S3 access key id.',
    secret: true,
    schema: z.string().min(1, 'must not be empty'),
  },
  s3SecretKey: {
    env: 'HEARTH_S3_SECRET_KEY',
    key: 's3SecretKey',
    description: 'S3 secret access key.',
    secret: true,
    schema: z.string().min(1, 'must not be empty'),
  },
  s3Region: {
    env: 'HEARTH_S3_REGION',
    key: 's3Region',
    description: 'S3 region.',
    default: 'us-east-1',
    schema: z.string().min(1, 'must not be empty'),
  },
  smtpUrl: {
    env: 'HEARTH_SMTP_URL',
    key: 'smtpUrl',
    description:
      'SMTP server for outgoing mail, e.g. smtps://user:pass@smtp.example.com:465. Mail is queued in the outbox table and delivered with retries. When unset, mail stays in the outbox table (admin API and dashboard).',
    secret: true,
    schema: urlWithProtocols(['smtp:', 'smtps:']),
  },
  mailFrom: {
    env: 'HEARTH_MAIL_FROM',
    key: 'mailFrom',
    description: 'Sender of the mail Hearth sends (verification, password reset, email change).',
    default: 'Hearth <no-reply@localhost>',
    schema: z.string().min(3, 'must be an address such as App <no-reply@example.com>'),
  },
  accessTokenTtl: {
    env: 'HEARTH_ACCESS_TOKEN_TTL',
    key: 'accessTokenTtl',
    description: 'Lifetime of access tokens, in seconds.',
    default: '900',
    schema: seconds(30, 86_400),
  },
  refreshTokenLifetime: {
    env: 'HEARTH_REFRESH_TOKEN_LIFETIME',
    key: 'refreshTokenLifetime',
    description:
      'Absolute lifetime of a session (its refresh-token family), in seconds, however active it is.',
    default: '2592000',
    schema: seconds(60, 31_536_000),
  },
  refreshTokenIdleTimeout: {
    env: 'HEARTH_REFRESH_TOKEN_IDLE_TIMEOUT',
    key: 'refreshTokenIdleTimeout',
    description: 'A session whose refresh token is not used for this many seconds ends.',
    default: '604800',
    schema: seconds(60, 31_536_000),
  },
  authRevocationCacheMs: {
    env: 'HEARTH_AUTH_REVOCATION_CACHE_MS',
    key: 'authRevocationCacheMs',
    description:
      'How long a node caches the answer to "is this session (or service key) still valid?" before asking the database again: the longest an access token keeps working on another node after its session is revoked. 0 checks on every request.',
    default: '2000',
    schema: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of milliseconds from 0 to 60000')
      .transform(Number)
      .refine((n) => n <= 60_000, 'must be a whole number of milliseconds from 0 to 60000'),
  },
  authConfirmEmail: {
    env: 'HEARTH_AUTH_CONFIRM_EMAIL',
    key: 'authConfirmEmail',
    description:
      'Sign-up needs the emailed link before the account can sign in, and never reveals whether an address is registered. false: sign-up signs in at once, and an address already registered gets auth/email-taken.',
    default: 'true',
    schema: boolean,
  },
  authRedirectUrls: {
    env: 'HEARTH_AUTH_REDIRECT_URLS',
    key: 'authRedirectUrls',
    description:
      'Comma-separated URL prefixes auth may send users to (redirectTo): where OAuth sign-in returns, and where the links in verification, password-reset and email-change mail point. E.g. https://app.example.com/. The public URL is always allowed. An entry that is not an absolute URL with a path, or that has credentials, a query, a fragment or a *, stops the start.',
    default: '',
    errorsQuoteTheValue: true,
    schema: redirectPrefixes,
  },
  oauthProviders: {
    env: 'HEARTH_OAUTH_PROVIDERS',
    key: 'oauthProviders',
    description:
      'OAuth/OpenID Connect providers as a JSON object keyed by provider name: {"google":{"clientId":"…","clientSecret":"…"}}. Presets: google, apple (teamId, keyId and privateKey let Hearth mint its client secret), microsoft, github (baseUrl for GitHub Enterprise Server); any other name needs "issuer". A key the preset does not take is an error. See docs/auth.md.',
    secret: true,
    schema: oauthProviders,
  },
  encryptionKey: {
    env: 'HEARTH_ENCRYPTION_KEY',
    key: 'encryptionKey',
    description:
      'Key that encrypts TOTP secrets and the private token-signing keys in the database: 32 random bytes in base64 or base64url (openssl rand -base64 32). When unset, they are stored in plain text. See docs/auth.md.',
    secret: true,
    schema: encryptionKey,
  },
  encryptionKeyPrevious: {
    env: 'HEARTH_ENCRYPTION_KEY_PREVIOUS',
    key: 'encryptionKeyPrevious',
    description:
      'Comma-separated earlier encryption keys, used only to decrypt while values are re-encrypted under HEARTH_ENCRYPTION_KEY at start-up (key rotation).',
    secret: true,
    schema: encryptionKeys,
  },
  rateLimitFactor: {
    env: 'HEARTH_RATE_LIMIT_FACTOR',
    key: 'rateLimitFactor',
    description:
      'Multiplies every auth rate limit (login, sign-up, password reset, refresh, MFA): 2 allows twice as many attempts.',
    default: '1',
    schema: positiveNumber,
  },
  writeRateLimitUser: {
    env: 'HEARTH_WRITE_RATE_LIMIT_USER',
    key: 'writeRateLimitUser',
    description:
      'Record writes (creates, updates and deletes; each write in a batch counts) one signed-in user may make per minute; beyond it, 429 http/rate-limited with Retry-After. Admins and service keys are not limited. 0 turns the limit off.',
    default: '600',
    schema: wholeNumber(0, 10_000_000),
  },
  writeRateLimitIp: {
    env: 'HEARTH_WRITE_RATE_LIMIT_IP',
    key: 'writeRateLimitIp',
    description:
      'Record writes one client address (see HEARTH_TRUST_PROXY) may make per minute, signed in or not; beyond it, 429 http/rate-limited with Retry-After. Admins and service keys are not limited. 0 turns the limit off.',
    default: '1200',
    schema: wholeNumber(0, 10_000_000),
  },
  corsOrigins: {
    env: 'HEARTH_CORS_ORIGINS',
    key: 'corsOrigins',
    description:
      'Comma-separated list of origins allowed to call the API from a browser, or * for any origin. Auth uses bearer tokens, not cookies, so * is safe for public apps.',
    default: '*',
    schema: list,
  },
  trustProxy: {
    env: 'HEARTH_TRUST_PROXY',
    key: 'trustProxy',
    description:
      'Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For header is believed. Empty: the header is ignored.',
    default: '',
    schema: list,
  },
  httpHeadersTimeoutMs: {
    env: 'HEARTH_HTTP_HEADERS_TIMEOUT_MS',
    key: 'httpHeadersTimeoutMs',
    description:
      "How long a client may take to send a request's headers, in milliseconds; then it gets 408 and the connection is closed. Stops slowloris on headers. Capped at HEARTH_HTTP_REQUEST_TIMEOUT_MS.",
    default: '10000',
    schema: milliseconds(1_000, 600_000),
  },
  httpRequestTimeoutMs: {
    env: 'HEARTH_HTTP_REQUEST_TIMEOUT_MS',
    key: 'httpRequestTimeoutMs',
    description:
      'How long a client may take to send a whole request, headers and body, in milliseconds; then it gets 408 and the connection is closed. Stops slowloris on bodies.',
    default: '30000',
    schema: milliseconds(1_000, 3_600_000),
  },
  httpKeepAliveTimeoutMs: {
    env: 'HEARTH_HTTP_KEEP_ALIVE_TIMEOUT_MS',
    key: 'httpKeepAliveTimeoutMs',
    description:
      "How long an idle keep-alive connection stays open after a response, in milliseconds. Behind a load balancer, make it longer than the balancer's idle timeout, so the balancer closes idle connections first.",
    default: '5000',
    schema: milliseconds(1, 600_000),
  },
  bodyLimit: {
    env: 'HEARTH_BODY_LIMIT',
    key: 'bodyLimit',
    description: 'Largest JSON request body accepted; larger bodies get 413.',
    default: '1mb',
    schema: byteSize,
  },
  filterMaxCost: {
    env: 'HEARTH_FILTER_MAX_COST',
    key: 'filterMaxCost',
    description:
      'Most a record filter may cost, as terms × (1 + relation hops), counting the view rules each hop must pass; costlier filters get 400 filter/too-costly before they run.',
    default: '2000',
    schema: positiveInt(1_000_000),
  },
  expandMaxItems: {
    env: 'HEARTH_EXPAND_MAX_ITEMS',
    key: 'expandMaxItems',
    description:
      'Most related records one expanded many-relation field of one record embeds; the rest are left out and the field is named in expandTruncated.',
    default: '100',
    schema: positiveInt(10_000),
  },
  expandMaxBytes: {
    env: 'HEARTH_EXPAND_MAX_BYTES',
    key: 'expandMaxBytes',
    description:
      'Most bytes of expanded records in one list page; a page that would pass it ends early with a nextCursor (always at least one record).',
    default: '2mb',
    schema: byteSize,
  },
  logLevel: {
    env: 'HEARTH_LOG_LEVEL',
    key: 'logLevel',
    description: 'Least severe log level written: fatal, error, warn, info, debug, trace or silent.',
    default: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
  },
  shutdownTimeoutMs: {
    env: 'HEARTH_SHUTDOWN_TIMEOUT_MS',
    key: 'shutdownTimeoutMs',
    description:
      'On SIGTERM or SIGINT, how long in-flight requests may take to finish before connections are closed.',
    default: '8000',
    schema: positiveInt(600_000),
  },
  cleanupInterval: {
    env: 'HEARTH_CLEANUP_INTERVAL',
    key: 'cleanupInterval',
    description:
      'Seconds between passes of the cleanup job that deletes expired sessions, spent tokens, expired idempotency keys, old outbox mail, retired signing keys, used recovery codes and revoked service keys. 0 turns it off.',
    default: '3600',
    schema: seconds(0, 604_800),
  },
  endedSessionRetentionDays: {
    env: 'HEARTH_ENDED_SESSION_RETENTION_DAYS',
    key: 'endedSessionRetentionDays',
    description:
      'Days a revoked or expired session and its refresh tokens are kept before cleanup deletes them.',
    default: '7',
    schema: positiveInt(3650),
  },
  outboxRetentionDays: {
    env: 'HEARTH_OUTBOX_RETENTION_DAYS',
    key: 'outboxRetentionDays',
    description: 'Days a mail stays in the outbox before cleanup deletes it.',
    default: '30',
    schema: positiveInt(3650),
  },
  revokedCredentialRetentionDays: {
    env: 'HEARTH_REVOKED_CREDENTIAL_RETENTION_DAYS',
    key: 'revokedCredentialRetentionDays',
    description:
      'Days a used MFA recovery code or a revoked service key is kept before cleanup deletes it. Either is refused from the moment it is used or revoked.',
    default: '30',
    schema: positiveInt(3650),
  },
  metricsEnabled: {
    env: 'HEARTH_METRICS',
    key: 'metricsEnabled',
    description:
      'Serve Prometheus metrics at /metrics: to loopback connections only, unless HEARTH_METRICS_TOKEN is set.',
    default: 'true',
    schema: boolean,
  },
  metricsToken: {
    env: 'HEARTH_METRICS_TOKEN',
    key: 'metricsToken',
    description:
      'Bearer token that /metrics requires (Authorization: Bearer …), from any address. When unset, /metrics answers only connections from this machine that no proxy forwarded. At least 16 characters, e.g. openssl rand -base64 32.',
    secret: true,
    schema: z
      .string()
      .min(16, 'must be at least 16 characters, e.g. the output of `openssl rand -base64 32`'),
  },
} satisfies Record<string, ConfigOption<unknown>>;

type Options = typeof configOptions;
type OptionValue<O> = O extends ConfigOption<infer T> ? T : never;
type HasDefault<O> = O extends { default: string } ? true : false;

/** The validated configuration: options with a default are always present. */
export type HearthConfig = {
  [K in keyof Options as HasDefault<Options[K]> extends true ? K : never]: OptionValue<Options[K]>;
} & {
  [K in keyof Options as HasDefault<Options[K]> extends true ? never : K]?: OptionValue<Options[K]>;
};

/**
 * Variables with the HEARTH_ prefix that belong to other tools (the CLI and
 * the test harness), so the server does not reject them as unknown.
 */
export const foreignEnvVars = ['HEARTH_URL', 'HEARTH_SERVICE_KEY', 'HEARTH_MFA_CODE', 'HEARTH_CONFIG_FILE'];
export const foreignEnvPrefixes = ['HEARTH_TEST_', 'HEARTH_BENCH_'];
