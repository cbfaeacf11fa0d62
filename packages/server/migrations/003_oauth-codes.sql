-- Accounts created through an OAuth provider may have no email (a GitHub
-- user with a private address, an Apple user who hid it).
ALTER TABLE hearth.users DROP CONSTRAINT IF EXISTS users_check;

-- One-time codes an OAuth callback hands to the app (in the redirect), which
-- the app exchanges for a session: tokens never appear in a URL.
CREATE TABLE hearth.oauth_codes (
  code_hash    bytea PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES hearth.users (id) ON DELETE CASCADE,
  provider     text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
