import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Where mail goes: 'smtp' or 'outbox'. */
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Sends through an SMTP server with nodemailer. */
export function smtpMailer(url: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(url, { from });
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close: () => transport.close(),
  };
}

/** With no SMTP configured, mail is kept in hearth.outbox for the admin API and dashboard. */
export function outboxMailer(pool: Pool): Mailer {
  return {
    kind: 'outbox',
    async send(message) {
      await pool.query('INSERT INTO hearth.outbox ("to", subject, text, html) VALUES ($1, $2, $3, $4)', [
        message.to,
        message.subject,
        message.text,
        message.html ?? null,
      ]);
    },
    close: () => undefined,
  };
}

export function createMailer(options: { smtpUrl: string | undefined; from: string; pool: Pool }): Mailer {
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options.from) : outboxMailer(options.pool);
}

/**
 * Sends without making the caller wait: flows that must not reveal whether
 * an account exists answer before any mail is written. Failures are logged.
 */
export function sendInBackground(
  mailer: Mailer,
  logger: Logger,
  work: () => Promise<MailMessage | undefined>,
): void {
  // setImmediate: the answer is written to the socket before any of this work starts.
  setImmediate(() => {
    void (async () => {
      try {
        const message = await work();
        if (message) await mailer.send(message);
      } catch (error) {
        logger.error({ err: error }, 'sending mail failed');
      }
    })();
  });
}
