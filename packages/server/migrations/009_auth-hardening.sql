-- Mail delivered through SMTP no longer keeps its live link in the outbox: the
-- delivery worker stores the text with link tokens redacted once the SMTP
-- server has taken it (src/mail/link-redaction.ts). Mail delivered before
-- this migration gets the same treatment here; the pattern mirrors
-- LINK_TOKEN in that file (tokens are base64url, in a `token` query parameter,
-- `&amp;`-escaped in HTML).
UPDATE hearth.outbox SET
  text = regexp_replace(text, '((?:[?&]|&amp;)token=)[A-Za-z0-9_-]+', '\1[redacted]', 'g'),
  html = regexp_replace(html, '((?:[?&]|&amp;)token=)[A-Za-z0-9_-]+', '\1[redacted]', 'g')
WHERE status = 'sent';

-- What a service key may do beyond the admin API. The only scope so far is
-- mail:read, reading mail bodies in the outbox; keys made before have none.
ALTER TABLE hearth.service_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';

-- Replacing an enabled second factor now needs a current code at enrolment
-- (src/auth/mfa-service.ts). An enrolment started over an enabled factor
-- before that, without one, is dropped, so it can never be confirmed.
UPDATE hearth.users SET "totpPendingSecret" = NULL
WHERE "totpSecret" IS NOT NULL AND "totpPendingSecret" IS NOT NULL;
