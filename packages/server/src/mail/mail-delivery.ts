import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Pool } from '../db/pool.js';
import type { MailDeliveryOutcome } from '../ops/metrics.js';
import { redactLinkTokens } from './link-redaction.js';
import type { MailMessage } from './mailer.js';
import { insertOutbox } from './outbox.js';
import { classifySmtpFailure } from './smtp-failure.js';

/** Attempts before a mail is marked failed: with the backoff below, about an hour after the first. */
export const MAX_DELIVERY_ATTEMPTS = 8;
/** How long a claimed mail is reserved; a node that dies while sending leaves it for another after this. */
const LEASE_SECONDS = 300;
const BATCH = 10;

/** Seconds to wait after failed attempt `n` (1-based): 30 s, 1 min, 2 min, … capped at 1 h. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
}

interface DueMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attempts: number;
}

/**
 * Delivers the mail queued in hearth.outbox over SMTP. A queued mail is
 * claimed with a lease (FOR UPDATE SKIP LOCKED, so nodes never send the same
 * mail twice at once), sent outside any transaction, then marked sent, or
 * rescheduled with backoff, or failed: at once when the SMTP server refused it
 * for good (smtp-failure.ts), else after MAX_DELIVERY_ATTEMPTS.
 */
export class MailDelivery {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly transport: Transporter,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly pollMs = 15_000,
    /** hearth_mail_deliveries_total, when metrics are on. */
    private readonly outcomes?: Counter<'outcome'>,
  ) {}

  private count(outcome: MailDeliveryOutcome): void {
    this.outcomes?.inc({ outcome });
  }

  async enqueue(message: MailMessage): Promise<void> {
    await insertOutbox(this.pool, message, 'queued');
    this.kick();
  }

  /** Polls for retries and for mail other nodes queued or left behind. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Delivers what is due now; a kick during a pass runs one more pass after it. */
  kick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.closed && (await this.deliverBatch()) === BATCH);
        } while (this.again && !this.closed);
      } catch (error) {
        this.logger.error({ err: error }, 'mail delivery pass failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }

  private async deliverBatch(): Promise<number> {
    const { rows } = await this.pool.query<DueMail>(
      `UPDATE hearth.outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
       WHERE id IN (SELECT id FROM hearth.outbox WHERE status = 'queued' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, "to", subject, text, html, attempts`,
      [LEASE_SECONDS, BATCH],
    );
    await Promise.all(rows.map((mail) => this.deliver(mail)));
    return rows.length;
  }

  private async deliver(mail: DueMail): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html === null ? {} : { html: mail.html }),
      });
    } catch (error) {
      await this.recordFailure(mail, error);
      return;
    }
    // Outside the try: a database error here is not an SMTP failure. The mail keeps its
    // lease and is sent again when the lease runs out (at least once, never lost).
    // Delivered, its link is the recipient's alone: the stored copy keeps the link
    // without its token, so reading the outbox cannot take over the account.
    await this.pool.query(
      `UPDATE hearth.outbox SET status = 'sent', sent_at = now(), next_attempt_at = NULL, last_error = NULL,
         text = $2, html = $3
       WHERE id = $1`,
      [mail.id, redactLinkTokens(mail.text), mail.html === null ? null : redactLinkTokens(mail.html)],
    );
    this.count('sent');
  }

  private async recordFailure(mail: DueMail, error: unknown): Promise<void> {
    const failure = classifySmtpFailure(error);
    const failed = failure.permanent || mail.attempts >= MAX_DELIVERY_ATTEMPTS;
    // The id and the SMTP reply only: the body carries single-use tokens.
    const fields = {
      mailId: mail.id,
      attempt: mail.attempts,
      permanent: failure.permanent,
      code: failure.code,
      responseCode: failure.responseCode,
      error: failure.reason,
    };
    if (failed) this.logger.warn(fields, 'mail delivery failed for good');
    else this.logger.warn(fields, 'mail delivery failed; will retry');
    await this.pool.query(
      `UPDATE hearth.outbox SET last_error = $2,
         status = CASE WHEN $3 THEN 'failed' ELSE 'queued' END,
         next_attempt_at = CASE WHEN $3 THEN NULL ELSE now() + make_interval(secs => $4) END
       WHERE id = $1`,
      [mail.id, failure.reason, failed, retryDelaySeconds(mail.attempts)],
    );
    this.count(failed ? 'failed' : 'retry');
  }
}
