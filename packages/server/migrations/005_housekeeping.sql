-- Cleanup (src/ops/cleanup.ts) deletes rows nothing can use any more, one
-- bounded batch at a time. These indexes let every batch find its rows
-- without scanning the whole table.

-- A session has ended at the earlier of its absolute expiry and its
-- revocation (LEAST skips a NULL revoked_at). last_used_at, written on every
-- refresh, stays unindexed so those updates remain HOT.
CREATE INDEX sessions_ended_at ON hearth.sessions (LEAST(expires_at, revoked_at));

-- A single-use token is spent at the earlier of its use and its expiry.
CREATE INDEX email_tokens_spent_at ON hearth.email_tokens (LEAST(used_at, expires_at));
CREATE INDEX mfa_tickets_spent_at ON hearth.mfa_tickets (LEAST(used_at, expires_at));
CREATE INDEX oauth_codes_spent_at ON hearth.oauth_codes (LEAST(used_at, expires_at));

CREATE INDEX oauth_requests_expires_at ON hearth.oauth_requests (expires_at);

-- idempotency_keys (expires_at) and outbox (created_at DESC, id) already have
-- the indexes their cleanup needs.
