import type { Pool, PoolClient } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createdAtCursors } from '../lib/keyset-cursor.js';
import { redactLinkTokens } from './link-redaction.js';
import type { MailMessage } from './mailer.js';

export const outboxStatuses = ['kept', 'queued', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  /**
   * The body. Link tokens are redacted unless the mail is `kept` (no SMTP:
   * the outbox is where it goes); null for a service key without mail:read.
   */
  text: string | null;
  html: string | null;
  createdAt: string;
  /** kept (no SMTP: the outbox is where it goes), queued (awaiting delivery), sent, or failed. */
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

interface OutboxRow {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  created_at: Date;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
}

const COLUMNS = 'id, "to", subject, text, html, created_at, status, attempts, last_error, sent_at';

/** Who reads the outbox: admin users read bodies; a service key only with the mail:read scope. */
export interface OutboxReader {
  readsBodies: boolean;
}

/**
 * A mail as the admin API shows it. Only a kept mail shows its live link:
 * a queued or failed one still holds it for delivery, a sent one has had it
 * redacted already (mail-delivery.ts), and neither is the reader's to use.
 */
function toMail(row: OutboxRow, reader: OutboxReader): OutboxMail {
  const body = (value: string | null) => {
    if (value === null || !reader.readsBodies) return null;
    return row.status === 'kept' ? value : redactLinkTokens(value);
  };
  return {
    id: row.id,
    to: row.to,
    subject: row.subject,
    text: body(row.text),
    html: body(row.html),
    createdAt: row.created_at.toISOString(),
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

/** Newest first, paged by an opaque cursor (createdAt + id of the last item). */
export async function listOutbox(
  pool: Pool,
  reader: OutboxReader,
  options: {
    limit: number;
    cursor?: string | undefined;
    to?: string | undefined;
    status?: OutboxStatus | undefined;
  },
): Promise<{ items: OutboxMail[]; nextCursor: string | null }> {
  const after = options.cursor ? createdAtCursors.decode(options.cursor, 'outbox', 1) : null;
  const { rows } = await pool.query<OutboxRow & { created_at_exact: string }>(
    `SELECT ${COLUMNS}, to_json(created_at) #>> '{}' AS created_at_exact FROM hearth.outbox
     WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))
       AND ($3::text IS NULL OR "to" = $3)
       AND ($4::text IS NULL OR status = $4)
     ORDER BY created_at DESC, id DESC LIMIT $5`,
    [
      after?.keys[0] ?? null,
      after?.id ?? null,
      options.to ?? null,
      options.status ?? null,
      options.limit + 1,
    ],
  );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > options.limit && last
      ? createdAtCursors.encode('outbox', { keys: [last.created_at_exact], id: last.id })
      : null;
  return { items: page.map((row) => toMail(row, reader)), nextCursor };
}

/**
 * Puts a failed mail back in the delivery queue, due now, with its attempts
 * reset, so it gets the full series of retries again. lastError keeps the
 * old reason until the next attempt replaces or clears it. Only a failed mail
 * qualifies: a queued one is already on its way, and re-sending a sent one
 * would deliver a second copy of a single-use link.
 */
export async function retryOutboxMail(pool: Pool, reader: OutboxReader, id: string): Promise<OutboxMail> {
  const { rows } = await pool.query<OutboxRow>(
    `UPDATE hearth.outbox SET status = 'queued', attempts = 0, next_attempt_at = now()
     WHERE id = $1 AND status = 'failed'
     RETURNING ${COLUMNS}`,
    [id],
  );
  const retried = rows[0];
  if (retried) return toMail(retried, reader);
  const found = await pool.query<{ status: OutboxStatus }>('SELECT status FROM hearth.outbox WHERE id = $1', [
    id,
  ]);
  const current = found.rows[0];
  if (!current) throw new HearthError('admin/not-found', 'No such mail in the outbox.');
  throw new HearthError('admin/mail-not-failed', undefined, { details: { status: current.status } });
}

/** One outbox row: 'queued' for the SMTP worker, 'kept' when there is no SMTP. */
export async function insertOutbox(
  db: Pool | PoolClient,
  message: MailMessage,
  status: 'queued' | 'kept',
): Promise<void> {
  await db.query(
    `INSERT INTO hearth.outbox ("to", subject, text, html, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'queued' THEN now() END)`,
    [message.to, message.subject, message.text, message.html ?? null, status],
  );
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
