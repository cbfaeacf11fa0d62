-- Failed mail is what an admin looks for (GET /api/admin/outbox?status=failed,
-- then a retry) and what /metrics counts on every scrape
-- (hearth_mail_outbox_messages). Failed rows are few, so this partial index
-- stays small however much sent mail the outbox keeps; queued rows already
-- have outbox_due (006).
CREATE INDEX outbox_failed ON hearth.outbox (created_at DESC, id DESC) WHERE status = 'failed';
