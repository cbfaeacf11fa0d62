-- A retired signing key only verifies: its public half stays in the JWKS
-- until the tokens it signed have expired, and its private half is erased
-- when it is retired (SigningKeyRing.rotate). The constraint holds every
-- writer to that: the one active key has its private half, no retired key has.
ALTER TABLE hearth.signing_keys ALTER COLUMN private_jwk DROP NOT NULL;
UPDATE hearth.signing_keys SET private_jwk = NULL WHERE retired_at IS NOT NULL;
ALTER TABLE hearth.signing_keys
  ADD CONSTRAINT signing_keys_private_only_while_active CHECK ((retired_at IS NULL) = (private_jwk IS NOT NULL));

-- Cleanup (src/ops/cleanup-jobs.ts) deletes retired signing keys once they
-- have left the JWKS, used MFA recovery codes and revoked service keys after
-- HEARTH_REVOKED_CREDENTIAL_RETENTION_DAYS. These partial indexes hold only
-- the rows cleanup looks for.
CREATE INDEX signing_keys_retired_at ON hearth.signing_keys (retired_at) WHERE retired_at IS NOT NULL;
CREATE INDEX mfa_recovery_codes_used_at ON hearth.mfa_recovery_codes (used_at) WHERE used_at IS NOT NULL;
CREATE INDEX service_keys_revoked_at ON hearth.service_keys (revoked_at) WHERE revoked_at IS NOT NULL;
