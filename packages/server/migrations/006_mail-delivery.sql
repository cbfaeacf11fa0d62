-- With SMTP configured, mail is queued in hearth.outbox and delivered by a
-- worker that retries with backoff (src/mail/mail-delivery.ts), so a mail
-- survives an SMTP outage or a restart. Without SMTP it is kept there for the
-- admin API, as before ('kept').
ALTER TABLE hearth.outbox
  ADD COLUMN status          text NOT NULL DEFAULT 'kept' CHECK (status IN ('kept', 'queued', 'sent', 'failed')),
  ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN last_error      text,
  ADD COLUMN sent_at         timestamptz;

CREATE INDEX outbox_due ON hearth.outbox (next_attempt_at) WHERE status = 'queued';
