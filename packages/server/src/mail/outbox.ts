import type { Pool } from '../db/pool.js';

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  createdAt: string;
  /** kept (no SMTP: the outbox is where it goes), queued (awaiting delivery), sent, or failed. */
  status: 'kept' | 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

/** Newest first, paged by an opaque cursor (createdAt + id of the last item). */
export async function listOutbox(
  pool: Pool,
  options: { limit: number; cursor?: string | undefined; to?: string | undefined },
): Promise<{ items: OutboxMail[]; nextCursor: string | null }> {
  let after: { createdAt: string; id: string } | undefined;
  if (options.cursor) {
    try {
      after = JSON.parse(Buffer.from(options.cursor, 'base64url').toString('utf8')) as {
        createdAt: string;
        id: string;
      };
    } catch {
      after = undefined;
    }
  }
  const { rows } = await pool.query<{
    id: string;
    to: string;
    subject: string;
    text: string;
    html: string | null;
    created_at: Date;
    status: OutboxMail['status'];
    attempts: number;
    last_error: string | null;
    sent_at: Date | null;
  }>(
    `SELECT id, "to", subject, text, html, created_at, status, attempts, last_error, sent_at FROM hearth.outbox
     WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
       AND ($3::text IS NULL OR "to" = $3)
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [after?.createdAt ?? null, after?.id ?? null, options.to ?? null, options.limit + 1],
  );
  const items = rows.slice(0, options.limit).map((row) => ({
    id: row.id,
    to: row.to,
    subject: row.subject,
    text: row.text,
    html: row.html,
    createdAt: row.created_at.toISOString(),
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    sentAt: row.sent_at?.toISOString() ?? null,
  }));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > options.limit && last
      ? Buffer.from(JSON.stringify({ createdAt: last.createdAt, id: last.id })).toString('base64url')
      : null;
  return { items, nextCursor };
}

/**
 * Mail waiting for delivery and mail that failed for good, for /metrics. One
 * round trip; each count reads only its partial index (outbox_due,
 * outbox_failed), not the sent mail the outbox keeps.
 */
export async function countOutboxByStatus(pool: Pool): Promise<{ queued: number; failed: number }> {
  const { rows } = await pool.query<{ queued: number; failed: number }>(
    `SELECT (SELECT count(*) FROM hearth.outbox WHERE status = 'queued')::int AS queued,
            (SELECT count(*) FROM hearth.outbox WHERE status = 'failed')::int AS failed`,
  );
  return rows[0] ?? { queued: 0, failed: 0 };
}
