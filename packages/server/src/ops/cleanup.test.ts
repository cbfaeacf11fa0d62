import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool, type PoolClient } from '../db/pool.js';
import { createLogger } from '../lib/logger.js';
import { cleanupJobs, type CleanupRetention } from './cleanup-jobs.js';
import { runCleanupPass, startCleanup } from './cleanup.js';
import { createMetrics } from './metrics.js';

const logger = createLogger('silent');
/** A retired signing key stays published for the access-token lifetime (900 s) plus 300 s. */
const retention: CleanupRetention = {
  endedSessionDays: 7,
  outboxDays: 30,
  retiredSigningKeySeconds: 1200,
  revokedCredentialDays: 30,
};
let database: TestDatabase;
let pool: Pool;
let userId: string;
const extraPools: Pool[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 4, logger });
  await migrateSystemSchema(pool, logger);
});
afterAll(async () => {
  await Promise.all(extraPools.map((extra) => extra.end()));
  await pool?.end();
  await database?.drop();
});
beforeEach(async () => {
  await pool.query(
    'TRUNCATE hearth.users, hearth.oauth_requests, hearth.idempotency_keys, hearth.outbox, hearth.signing_keys, hearth.service_keys CASCADE',
  );
  const { rows } = await pool.query<{ id: string }>(
    "INSERT INTO hearth.users (email) VALUES ('owner@example.test') RETURNING id",
  );
  userId = rows[0]!.id;
});

function otherPool(): Pool {
  const created = createPool({ connectionString: database.url, max: 2, logger });
  extraPools.push(created);
  return created;
}

/** Tokens are stored as hashes; tests name them and hash the name. */
const hash = (label: string) => createHash('sha256').update(label).digest();

/** `interval` strings are relative to now: '-8 days' is eight days ago. */
async function addSession(
  label: string,
  times: { expires: string; revoked?: string; lastUsed?: string },
  tokens: string[] = [],
): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO hearth.sessions (user_id, expires_at, revoked_at, last_used_at, methods, user_agent)
     VALUES ($1, now() + $2::interval, now() + $3::interval, now() + coalesce($4, '0 s')::interval, '{password}', $5)
     RETURNING id`,
    [userId, times.expires, times.revoked ?? null, times.lastUsed ?? null, label],
  );
  for (const token of tokens) {
    await pool.query(
      'INSERT INTO hearth.refresh_tokens (token_hash, session_id, used_at) VALUES ($1, $2, $3)',
      [hash(token), rows[0]!.id, token.endsWith('-spent') ? new Date() : null],
    );
  }
}

async function addEmailToken(label: string, expires: string, used?: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.email_tokens (token_hash, user_id, purpose, email, expires_at, used_at)
     VALUES ($1, $2, 'verify-email', $3, now() + $4::interval, now() + $5::interval)`,
    [hash(label), userId, label, expires, used ?? null],
  );
}

async function addMfaTicket(label: string, expires: string, used?: string, attempts = 0): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.mfa_tickets (ticket_hash, user_id, methods, first_factor, attempts, expires_at, used_at)
     VALUES ($1, $2, '{totp}', $3, $4, now() + $5::interval, now() + $6::interval)`,
    [hash(label), userId, label, attempts, expires, used ?? null],
  );
}

async function addOAuthCode(label: string, expires: string, used?: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.oauth_codes (code_hash, user_id, provider, expires_at, used_at)
     VALUES ($1, $2, $3, now() + $4::interval, now() + $5::interval)`,
    [hash(label), userId, label, expires, used ?? null],
  );
}

async function addOAuthRequest(label: string, expires: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.oauth_requests (state_hash, provider, code_verifier, nonce, redirect_to, expires_at)
     VALUES ($1, $2, 'verifier', 'nonce', 'https://app.example.test/', now() + $3::interval)`,
    [hash(label), label, expires],
  );
}

async function addIdempotencyKey(label: string, expires: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.idempotency_keys (scope, key, request_hash, status, response, expires_at)
     VALUES ('user:x', $1, $2, 201, '{}'::jsonb, now() + $3::interval)`,
    [label, hash(label), expires],
  );
}

async function addOutboxMail(label: string, created: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.outbox ("to", subject, text, created_at) VALUES ('a@example.test', $1, 'body', now() + $2::interval)`,
    [label, created],
  );
}

/** A signing key; `retired` (an interval relative to now) makes it a retired one, with no private half. */
async function addSigningKey(label: string, retired?: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk, retired_at)
     VALUES ($1, 'EdDSA', CASE WHEN $2::interval IS NULL THEN '{"d":"x"}'::jsonb END, '{}', now() + $2::interval)`,
    [label, retired ?? null],
  );
}

/** A recovery code of the test user; `used` (relative to now) marks it used. */
async function addRecoveryCode(label: string, used?: string): Promise<void> {
  await pool.query(
    'INSERT INTO hearth.mfa_recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, now() + $3::interval)',
    [userId, hash(label), used ?? null],
  );
}

/** A service key named `label`; `revoked` (relative to now) marks it revoked. */
async function addServiceKey(label: string, revoked?: string): Promise<void> {
  await pool.query(
    `INSERT INTO hearth.service_keys (name, prefix, key_hash, revoked_at)
     VALUES ($1, 'hearth_sk_x', $2, now() + $3::interval)`,
    [label, hash(label), revoked ?? null],
  );
}

async function remainingRecoveryCodes(labels: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ code_hash: Buffer }>('SELECT code_hash FROM hearth.mfa_recovery_codes');
  const stored = new Set(rows.map((row) => row.code_hash.toString('hex')));
  return labels.filter((label) => stored.has(hash(label).toString('hex'))).sort();
}

/** The labels still stored in a table, sorted. */
async function remaining(
  table:
    | 'sessions'
    | 'email_tokens'
    | 'mfa_tickets'
    | 'oauth_codes'
    | 'oauth_requests'
    | 'idempotency_keys'
    | 'outbox'
    | 'signing_keys'
    | 'service_keys',
): Promise<string[]> {
  const column = {
    sessions: 'user_agent',
    email_tokens: 'email',
    mfa_tickets: 'first_factor',
    oauth_codes: 'provider',
    oauth_requests: 'provider',
    idempotency_keys: 'key',
    outbox: 'subject',
    signing_keys: 'kid',
    service_keys: 'name',
  }[table];
  const { rows } = await pool.query<{ label: string }>(`SELECT ${column} AS label FROM hearth.${table}`);
  return rows.map((row) => row.label).sort();
}

async function remainingRefreshTokens(labels: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ token_hash: Buffer }>('SELECT token_hash FROM hearth.refresh_tokens');
  const stored = new Set(rows.map((row) => row.token_hash.toString('hex')));
  return labels.filter((label) => stored.has(hash(label).toString('hex'))).sort();
}

async function count(table: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM hearth.${table}`);
  return rows[0]!.n;
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Holds an exclusive lock on the outbox, so a pass that reaches its outbox batch waits there. */
async function blockOutbox(): Promise<{ client: PoolClient; release(): Promise<void> }> {
  const client = await otherPool().connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE hearth.outbox IN ACCESS EXCLUSIVE MODE');
  return {
    client,
    async release() {
      await client.query('COMMIT');
      client.release();
    },
  };
}

/** Whether some connection holds the cleanup advisory lock and another waits on the outbox lock. */
async function passIsWaitingOnOutbox(): Promise<boolean> {
  const { rows } = await pool.query<{ waiting: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted)
        AND EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'hearth.outbox'::regclass AND NOT granted) AS waiting`,
  );
  return rows[0]?.waiting === true;
}

describe('a cleanup pass', () => {
  it('deletes exactly the rows nothing can use any more, and counts them by table', async () => {
    const allTokens: string[] = [];
    const sessions: Array<[string, Parameters<typeof addSession>[1]]> = [
      ['live', { expires: '10 days' }],
      // Past the idle timeout but not its absolute expiry: a larger idle timeout would revive it.
      ['idle', { expires: '10 days', lastUsed: '-20 days' }],
      ['expired-within-retention', { expires: '-6 days' }],
      ['expired-past-retention', { expires: '-8 days' }],
      ['revoked-within-retention', { expires: '10 days', revoked: '-6 days' }],
      ['revoked-past-retention', { expires: '10 days', revoked: '-8 days' }],
      ['revoked-after-expiring-long-ago', { expires: '-9 days', revoked: '-1 hour' }],
    ];
    for (const [label, times] of sessions) {
      const tokens = [`${label}-spent`, `${label}-current`];
      allTokens.push(...tokens);
      await addSession(label, times, tokens);
    }

    await addEmailToken('valid', '1 hour');
    await addEmailToken('used', '1 hour', '-1 minute');
    await addEmailToken('expired', '-1 second');
    await addMfaTicket('valid', '5 minutes');
    await addMfaTicket('used', '5 minutes', '-1 second');
    await addMfaTicket('burned-by-wrong-codes', '5 minutes', '-1 second', 5);
    await addMfaTicket('expired', '-1 second');
    await addOAuthCode('valid', '2 minutes');
    await addOAuthCode('used', '2 minutes', '-1 second');
    await addOAuthCode('expired', '-1 second');
    await addOAuthRequest('pending', '10 minutes');
    // A late callback still finds its redirectTo for a day.
    await addOAuthRequest('expired-within-grace', '-23 hours');
    await addOAuthRequest('expired-past-grace', '-25 hours');
    await addIdempotencyKey('valid', '1 hour');
    await addIdempotencyKey('expired', '-1 second');
    await addOutboxMail('recent', '-29 days');
    await addOutboxMail('old', '-31 days');
    await addSigningKey('active');
    // Still in the JWKS: tokens it signed may not have expired yet.
    await addSigningKey('retired-within-window', '-19 minutes');
    await addSigningKey('retired-past-window', '-21 minutes');
    const codes = ['code-unused', 'code-used-recently', 'code-used-long-ago'];
    await addRecoveryCode('code-unused');
    await addRecoveryCode('code-used-recently', '-29 days');
    await addRecoveryCode('code-used-long-ago', '-31 days');
    await addServiceKey('key-live');
    await addServiceKey('key-revoked-recently', '-29 days');
    await addServiceKey('key-revoked-long-ago', '-31 days');

    const metrics = createMetrics();
    const result = await runCleanupPass(pool, { retention, deletedRows: metrics.cleanupDeletedRows });

    expect(result).toMatchObject({
      ran: true,
      stopped: false,
      deleted: {
        refresh_tokens: 6,
        sessions: 3,
        email_tokens: 2,
        mfa_tickets: 3,
        oauth_codes: 2,
        oauth_requests: 1,
        idempotency_keys: 1,
        outbox: 1,
        signing_keys: 1,
        mfa_recovery_codes: 1,
        service_keys: 1,
      },
    });
    expect(await remaining('sessions')).toEqual(
      ['expired-within-retention', 'idle', 'live', 'revoked-within-retention'].sort(),
    );
    // Spent tokens of sessions that are kept stay: presenting one again is how reuse is detected.
    expect(await remainingRefreshTokens(allTokens)).toEqual(
      [
        'expired-within-retention-current',
        'expired-within-retention-spent',
        'idle-current',
        'idle-spent',
        'live-current',
        'live-spent',
        'revoked-within-retention-current',
        'revoked-within-retention-spent',
      ].sort(),
    );
    expect(await remaining('email_tokens')).toEqual(['valid']);
    expect(await remaining('mfa_tickets')).toEqual(['valid']);
    expect(await remaining('oauth_codes')).toEqual(['valid']);
    expect(await remaining('oauth_requests')).toEqual(['expired-within-grace', 'pending']);
    expect(await remaining('idempotency_keys')).toEqual(['valid']);
    expect(await remaining('outbox')).toEqual(['recent']);
    expect(await remaining('signing_keys')).toEqual(['active', 'retired-within-window']);
    expect(await remainingRecoveryCodes(codes)).toEqual(['code-unused', 'code-used-recently']);
    expect(await remaining('service_keys')).toEqual(['key-live', 'key-revoked-recently']);

    const counted = await metrics.cleanupDeletedRows.get();
    const byTable = Object.fromEntries(counted.values.map((value) => [value.labels.table, value.value]));
    expect(byTable).toEqual({
      refresh_tokens: 6,
      sessions: 3,
      email_tokens: 2,
      mfa_tickets: 3,
      oauth_codes: 2,
      oauth_requests: 1,
      idempotency_keys: 1,
      outbox: 1,
      signing_keys: 1,
      mfa_recovery_codes: 1,
      service_keys: 1,
    });

    // Nothing left to do: a second pass deletes nothing.
    const again = await runCleanupPass(pool, { retention });
    expect(again.ran && Object.values(again.deleted).every((n) => n === 0)).toBe(true);
  });

  it('honours the configured retention periods', async () => {
    await addSession('revoked-3-days-ago', { expires: '10 days', revoked: '-3 days' });
    await addOutboxMail('3-days-old', '-3 days');
    await addSigningKey('retired-an-hour-ago', '-1 hour');
    await addRecoveryCode('used-3-days-ago', '-3 days');
    await addServiceKey('revoked-3-days-ago', '-3 days');
    await runCleanupPass(pool, {
      retention: {
        endedSessionDays: 7,
        outboxDays: 30,
        retiredSigningKeySeconds: 86_400 + 300,
        revokedCredentialDays: 30,
      },
    });
    expect(await remaining('sessions')).toEqual(['revoked-3-days-ago']);
    expect(await remaining('outbox')).toEqual(['3-days-old']);
    expect(await remaining('signing_keys')).toEqual(['retired-an-hour-ago']);
    expect(await remainingRecoveryCodes(['used-3-days-ago'])).toEqual(['used-3-days-ago']);
    expect(await remaining('service_keys')).toEqual(['revoked-3-days-ago']);
    await runCleanupPass(pool, {
      retention: {
        endedSessionDays: 2,
        outboxDays: 2,
        retiredSigningKeySeconds: 30 + 300,
        revokedCredentialDays: 2,
      },
    });
    expect(await remaining('sessions')).toEqual([]);
    expect(await remaining('outbox')).toEqual([]);
    expect(await remaining('signing_keys')).toEqual([]);
    expect(await remainingRecoveryCodes(['used-3-days-ago'])).toEqual([]);
    expect(await remaining('service_keys')).toEqual([]);
  });

  it('deletes a backlog larger than one batch in batches of at most the batch size', async () => {
    await pool.query(
      `INSERT INTO hearth.email_tokens (token_hash, user_id, purpose, email, expires_at)
       SELECT sha256(g::text::bytea), $1, 'verify-email', 'x@example.test', now() - interval '1 second'
       FROM generate_series(1, 25) g`,
      [userId],
    );
    await addEmailToken('valid', '1 hour');
    const result = await runCleanupPass(pool, { retention, batchSize: 10 });
    // 10 + 10 + 5: a statement that ignored the limit would have taken all 25 at once and stopped after 2.
    expect(result).toMatchObject({ ran: true, deleted: { email_tokens: 25 }, batches: { email_tokens: 3 } });
    expect(await remaining('email_tokens')).toEqual(['valid']);
  });

  it('deletes an ended session’s refresh tokens in batches before the session, never through one big cascade', async () => {
    for (let i = 0; i < 15; i += 1) {
      const tokens = Array.from({ length: 3 }, (_, j) => `s${i}-t${j}`);
      await addSession(`ended-${String(i).padStart(2, '0')}`, { expires: '-8 days' }, tokens);
    }
    // One long-lived session with many rotations.
    await addSession(
      'ended-busy',
      { expires: '-8 days' },
      Array.from({ length: 40 }, (_, j) => `busy-t${j}`),
    );
    await addSession('live', { expires: '10 days' }, ['live-t']);

    const result = await runCleanupPass(pool, { retention, batchSize: 10 });
    // Every token was deleted by a token batch (a cascade would not have counted it).
    expect(result).toMatchObject({ ran: true, deleted: { refresh_tokens: 85, sessions: 16 } });
    expect(result.ran && result.batches.refresh_tokens).toBeGreaterThanOrEqual(9);
    expect(await remaining('sessions')).toEqual(['live']);
    expect(await count('refresh_tokens')).toBe(1);
  });

  it('skips a row another transaction holds instead of waiting for it, and takes it next time', async () => {
    await addEmailToken('expired-and-locked', '-1 second');
    await addEmailToken('expired', '-1 second');
    const holder = await otherPool().connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM hearth.email_tokens WHERE email = 'expired-and-locked' FOR UPDATE");
      const result = await runCleanupPass(pool, { retention });
      expect(result).toMatchObject({ ran: true, deleted: { email_tokens: 1 } });
      expect(await remaining('email_tokens')).toEqual(['expired-and-locked']);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    await runCleanupPass(pool, { retention });
    expect(await remaining('email_tokens')).toEqual([]);
  });

  it('never deletes an idempotency key that was claimed again after it expired', async () => {
    await addIdempotencyKey('reclaimed', '-1 second');
    // claimIdempotencyKey's takeover of an expired key, as a concurrent request would do it.
    await pool.query(
      `UPDATE hearth.idempotency_keys SET expires_at = now() + interval '24 hours', created_at = now()
       WHERE key = 'reclaimed' AND expires_at <= now()`,
    );
    await runCleanupPass(pool, { retention });
    expect(await remaining('idempotency_keys')).toEqual(['reclaimed']);
  });

  it('finds its rows through indexes, never by scanning a whole table', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // With sequential scans priced out, a plan still shows one only where no index can serve.
      await client.query('SET LOCAL enable_seqscan = off');
      const statements = cleanupJobs.flatMap((job) => (job.before ? [job.before, job] : [job]));
      for (const job of statements) {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${job.sql}`, [
          1000,
          ...job.params(retention),
        ]);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        expect(plan, `${job.table}:\n${plan}`).not.toContain('Seq Scan');
      }
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('cleanup on several nodes', () => {
  it('lets one node work at a time: a node that finds the lock taken skips its pass', async () => {
    await addEmailToken('expired', '-1 second');
    await addOutboxMail('old', '-31 days');
    const nodeA = otherPool();
    const nodeB = otherPool();
    const blocker = await blockOutbox();
    let passA: ReturnType<typeof runCleanupPass> | undefined;
    try {
      passA = runCleanupPass(nodeA, { retention });
      // Node A holds the cleanup lock and is stuck at its outbox batch.
      await waitFor(passIsWaitingOnOutbox, 'node A to reach the outbox');
      const passB = await runCleanupPass(nodeB, { retention });
      expect(passB).toEqual({ ran: false });
    } finally {
      await blocker.release();
    }
    expect(await passA).toMatchObject({ ran: true, deleted: { email_tokens: 1, outbox: 1 } });
    // Node A gave the lock back (its connection went back to the pool still open).
    const later = await runCleanupPass(nodeB, { retention });
    expect(later.ran).toBe(true);
  });

  it('two nodes starting a pass at the same moment delete each row once between them', async () => {
    await pool.query(
      `INSERT INTO hearth.email_tokens (token_hash, user_id, purpose, email, expires_at)
       SELECT sha256(g::text::bytea), $1, 'verify-email', 'x@example.test', now() - interval '1 second'
       FROM generate_series(1, 200) g`,
      [userId],
    );
    const results = await Promise.all([
      runCleanupPass(otherPool(), { retention, batchSize: 5 }),
      runCleanupPass(otherPool(), { retention, batchSize: 5 }),
    ]);
    const deleted = results.reduce((sum, result) => sum + (result.ran ? result.deleted.email_tokens : 0), 0);
    expect(deleted).toBe(200);
    expect(results.some((result) => result.ran)).toBe(true);
    expect(await count('email_tokens')).toBe(0);
  });
});

describe('the cleanup schedule', () => {
  it('is off with an interval of 0: nothing is scheduled and nothing is deleted', async () => {
    await addEmailToken('expired', '-1 second');
    const timer = startCleanup({
      pool,
      logger,
      schedule: { intervalSeconds: 0, retention },
    });
    expect(timer.enabled).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await remaining('email_tokens')).toEqual(['expired']);
    await timer.stop();
  });

  it('runs soon after start and again every interval, until stopped', async () => {
    await addEmailToken('expired-before-start', '-1 second');
    const timer = startCleanup({ pool, logger, schedule: { intervalSeconds: 1, retention } });
    try {
      expect(timer.enabled).toBe(true);
      await waitFor(async () => (await remaining('email_tokens')).length === 0, 'the first pass');
      await addEmailToken('expired-later', '-1 second');
      await waitFor(async () => (await remaining('email_tokens')).length === 0, 'the next pass');
    } finally {
      await timer.stop();
    }
    await addEmailToken('expired-after-stop', '-1 second');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await remaining('email_tokens')).toEqual(['expired-after-stop']);
  });

  it('stop() waits for a running pass to finish its batch', async () => {
    await addOutboxMail('old', '-31 days');
    const blocker = await blockOutbox();
    const timer = startCleanup({ pool, logger, schedule: { intervalSeconds: 1, retention } });
    let stopped = false;
    let stopping: Promise<void> | undefined;
    try {
      await waitFor(passIsWaitingOnOutbox, 'the pass to reach the outbox');
      stopping = timer.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stopped).toBe(false);
    } finally {
      await blocker.release();
    }
    await stopping;
    expect(stopped).toBe(true);
    // The batch it was waiting on completed before stop() returned.
    expect(await remaining('outbox')).toEqual([]);
  });
});
