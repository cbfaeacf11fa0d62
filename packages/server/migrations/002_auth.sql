-- Auth: users, sessions and their refresh tokens, signing keys, service keys,
-- one-time mail tokens, MFA, OAuth identities, and the mail outbox.

-- Users are also the built-in `users` collection, so their public columns use
-- the same camelCase names as collection records. Columns after "updatedAt"
-- are private: the API never returns them.
CREATE TABLE hearth.users (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email                text UNIQUE CHECK (email = lower(email) AND length(email) <= 254),
  "emailVerified"      boolean NOT NULL DEFAULT false,
  role                 text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  anonymous            boolean NOT NULL DEFAULT false,
  disabled             boolean NOT NULL DEFAULT false,
  metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
  "createdAt"          timestamptz NOT NULL DEFAULT now(),
  "updatedAt"          timestamptz NOT NULL DEFAULT now(),
  "passwordHash"       text,
  "passwordChangedAt"  timestamptz,
  "totpSecret"         text,
  "totpPendingSecret"  text,
  "totpLastStep"       bigint,
  CHECK (anonymous OR email IS NOT NULL OR disabled)
);
CREATE INDEX users_created_at ON hearth.users ("createdAt", id);

-- A session is one refresh-token family: every rotation adds a token to it,
-- and revoking the session ends every token in it at once.
CREATE TABLE hearth.sessions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id         uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz NOT NULL DEFAULT now(),
  -- Absolute end of the session, whatever its activity.
  expires_at      timestamptz NOT NULL,
  -- When credentials (password, MFA code, provider) were last presented.
  auth_time       timestamptz NOT NULL DEFAULT now(),
  methods         text[] NOT NULL,
  user_agent      text,
  ip              text,
  revoked_at      timestamptz,
  revoked_reason  text
);
CREATE INDEX sessions_user ON hearth.sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE hearth.refresh_tokens (
  token_hash  bytea PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES hearth.sessions (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Set when the token is rotated; a second use is reuse and ends the session.
  used_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON hearth.refresh_tokens (session_id);

-- Access-token signing keys. One key signs at a time; retired keys stay
-- published in the JWKS until every token they signed has expired.
CREATE TABLE hearth.signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_jwk  jsonb NOT NULL,
  public_jwk   jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON hearth.signing_keys ((true)) WHERE retired_at IS NULL;

CREATE TABLE hearth.service_keys (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  -- The start of the key, shown in lists so people can tell keys apart.
  prefix        text NOT NULL,
  key_hash      bytea NOT NULL UNIQUE,
  created_by    uuid REFERENCES hearth.users (id) ON DELETE SET NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Single-use tokens sent by mail: email verification, password reset, email change.
CREATE TABLE hearth.email_tokens (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  purpose     text NOT NULL CHECK (purpose IN ('verify-email', 'reset-password', 'change-email')),
  -- The address the token was sent to (the new address for a change).
  email       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX email_tokens_user ON hearth.email_tokens (user_id, purpose);

-- A password login that still needs a second factor.
CREATE TABLE hearth.mfa_tickets (
  ticket_hash  bytea PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  methods      text[] NOT NULL,
  first_factor text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);

CREATE TABLE hearth.mfa_recovery_codes (
  user_id    uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Sign-in identities from OAuth/OIDC providers, keyed by (provider, subject).
CREATE TABLE hearth.identities (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  provider    text NOT NULL,
  subject     text NOT NULL,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, subject),
  UNIQUE (user_id, provider)
);

-- OAuth authorization requests in flight: state, nonce and PKCE verifier.
CREATE TABLE hearth.oauth_requests (
  state_hash     bytea PRIMARY KEY,
  provider       text NOT NULL,
  code_verifier  text NOT NULL,
  nonce          text NOT NULL,
  redirect_to    text,
  link_user_id   uuid REFERENCES hearth.users (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);

-- Mail written here instead of being sent when no SMTP server is configured.
CREATE TABLE hearth.outbox (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "to"        text NOT NULL,
  subject     text NOT NULL,
  text        text NOT NULL,
  html        text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_created_at ON hearth.outbox (created_at DESC, id);
