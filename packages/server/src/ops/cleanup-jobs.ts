/** How long rows that ended are kept before cleanup deletes them. */
export interface CleanupRetention {
  /** Days a revoked or expired session (and its refresh tokens) is kept. */
  endedSessionDays: number;
  /** Days a mail stays in the outbox. */
  outboxDays: number;
  /**
   * Seconds a retired signing key stays published in the JWKS
   * (retiredKeyPublishSeconds: the access-token lifetime plus a margin).
   */
  retiredSigningKeySeconds: number;
  /** Days a used MFA recovery code or a revoked service key is kept. */
  revokedCredentialDays: number;
}

export type CleanupTable =
  | 'refresh_tokens'
  | 'sessions'
  | 'email_tokens'
  | 'mfa_tickets'
  | 'oauth_codes'
  | 'oauth_requests'
  | 'idempotency_keys'
  | 'outbox'
  | 'signing_keys'
  | 'mfa_recovery_codes'
  | 'service_keys';

/**
 * One bounded DELETE. `$1` is the batch size: a statement never deletes more
 * rows than that, so a huge backlog is worked off in short transactions.
 */
export interface CleanupJob {
  table: CleanupTable;
  sql: string;
  /** The parameters after the batch size. */
  params(retention: CleanupRetention): unknown[];
  /**
   * Drained before each batch of this job: rows that reference the rows this
   * job deletes, which the foreign key would otherwise cascade to in one
   * unbounded statement.
   */
  before?: CleanupJob;
}

/**
 * Deletes up to $1 rows of `table` matching `spent`. The rows are picked
 * with FOR UPDATE SKIP LOCKED, so a row some request is working on right now
 * is left for the next pass instead of being waited for, and the condition is
 * checked again on the row being deleted (a row that stopped matching since
 * it was picked stays).
 */
function deleteBatch(table: string, spent: string, orderBy = ''): string {
  return `DELETE FROM hearth.${table}
    WHERE ctid = ANY(ARRAY(
      SELECT ctid FROM hearth.${table} WHERE ${spent} ${orderBy} LIMIT $1 FOR UPDATE SKIP LOCKED))
      AND ${spent}`;
}

/** A session ended at the earlier of its absolute expiry and its revocation (LEAST skips NULL). */
const sessionEndedBefore = 'LEAST(expires_at, revoked_at) < now() - make_interval(days => $2)';
const oldestEndedFirst = 'ORDER BY LEAST(expires_at, revoked_at)';
/** A single-use token is spent once used or expired, whichever came first. */
const tokenSpent = 'LEAST(used_at, expires_at) <= now()';

/** Late OAuth callbacks still find their request this long after it expired. */
export const OAUTH_REQUEST_GRACE_SECONDS = 24 * 60 * 60;

const endedSessionParams = (retention: CleanupRetention) => [retention.endedSessionDays];
const noParams = () => [];
const revokedCredentialParams = (retention: CleanupRetention) => [retention.revokedCredentialDays];

/**
 * What cleanup deletes, in order. Every condition is one that no request can
 * succeed against any more, so deleting the row changes no answer except, for
 * the kept-a-while tables, which of two refusals the caller gets.
 *
 * Sessions are kept `endedSessionDays` after they end, not deleted at once:
 * - a refresh token presented after logout, after a password change or after
 *   reuse detection revoked its family answers `auth/session-revoked`
 *   ("sign in again") instead of `auth/invalid-token`, and an access token of
 *   that session likewise (access tokens live at most a day);
 * - the row, with its `revoked_reason`, user agent and IP, stays for whoever
 *   investigates a `refresh-token-reuse` revocation.
 * Every refresh token of a session that has not ended is kept, spent ones
 * included: a spent token presented again is how reuse is detected. Sessions
 * past only their idle timeout are kept until their absolute expiry, because
 * raising HEARTH_REFRESH_TOKEN_IDLE_TIMEOUT brings them back. "List my
 * sessions" shows only live sessions, so none of this changes it.
 */
export const cleanupJobs: CleanupJob[] = [
  {
    table: 'sessions',
    sql: deleteBatch('sessions', sessionEndedBefore, oldestEndedFirst),
    params: endedSessionParams,
    // A session may hold thousands of refresh tokens (one per rotation). They
    // go first, in batches, from the same oldest-ended sessions the next
    // session batch picks, so the cascade on that batch has nothing left to do.
    before: {
      table: 'refresh_tokens',
      sql: `DELETE FROM hearth.refresh_tokens
        WHERE ctid = ANY(ARRAY(
          SELECT ctid FROM hearth.refresh_tokens
          WHERE session_id = ANY(ARRAY(
            SELECT id FROM hearth.sessions WHERE ${sessionEndedBefore}
            ${oldestEndedFirst} LIMIT $1))
          LIMIT $1 FOR UPDATE SKIP LOCKED))`,
      params: endedSessionParams,
    },
  },
  { table: 'email_tokens', sql: deleteBatch('email_tokens', tokenSpent), params: noParams },
  { table: 'mfa_tickets', sql: deleteBatch('mfa_tickets', tokenSpent), params: noParams },
  { table: 'oauth_codes', sql: deleteBatch('oauth_codes', tokenSpent), params: noParams },
  {
    // A consumed request is deleted by the callback itself; what is left here
    // expired. Its redirectTo is how a late callback sends the user back to
    // the app with an error, so it stays a day.
    table: 'oauth_requests',
    sql: deleteBatch('oauth_requests', 'expires_at < now() - make_interval(secs => $2)'),
    params: () => [OAUTH_REQUEST_GRACE_SECONDS],
  },
  {
    // An expired key is free to be claimed again (claimIdempotencyKey), so deleting it changes nothing.
    table: 'idempotency_keys',
    sql: deleteBatch('idempotency_keys', 'expires_at <= now()'),
    params: noParams,
  },
  {
    table: 'outbox',
    sql: deleteBatch('outbox', 'created_at < now() - make_interval(days => $2)'),
    params: (retention) => [retention.outboxDays],
  },
  {
    // Past its publish window a retired key is out of the JWKS and every token
    // it signed has expired; its private half went at retirement. The active
    // key (retired_at NULL) never matches.
    table: 'signing_keys',
    sql: deleteBatch('signing_keys', 'retired_at < now() - make_interval(secs => $2)'),
    params: (retention) => [retention.retiredSigningKeySeconds],
  },
  {
    // A used code is never accepted again (checkCode spends only unused ones), with or without its row.
    table: 'mfa_recovery_codes',
    sql: deleteBatch('mfa_recovery_codes', 'used_at < now() - make_interval(days => $2)'),
    params: revokedCredentialParams,
  },
  {
    // A revoked key is refused (401) like an unknown one, with or without its row; the row
    // (name, prefix, last use) stays a while for whoever looks into why it was revoked.
    table: 'service_keys',
    sql: deleteBatch('service_keys', 'revoked_at < now() - make_interval(days => $2)'),
    params: revokedCredentialParams,
  },
];
