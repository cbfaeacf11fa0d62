import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Pool, PoolClient } from '../db/pool.js';
import { MailDelivery } from './mail-delivery.js';
import { insertOutbox } from './outbox.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  /** Where mail goes: 'smtp' or 'outbox'. */
  readonly kind: 'smtp' | 'outbox';
  /** Resolves once the mail is stored: in the delivery queue (smtp) or the outbox. */
  send(message: MailMessage): Promise<void>;
  /**
   * Stores the mail as part of the caller's transaction, so it exists exactly
   * when the change that caused it commits. Call wake() after the commit.
   */
  queue(db: Pool | PoolClient, message: MailMessage): Promise<void>;
  /** Delivers what is due now instead of at the next poll (smtp); nothing to do for the outbox. */
  wake(): void;
  close(): Promise<void>;
}

/**
 * Sends through an SMTP server with nodemailer, by way of a durable queue in
 * hearth.outbox: a mail outlives an SMTP outage or a restart, and is retried
 * with backoff (mail-delivery.ts).
 */
export function smtpMailer(options: {
  url: string;
  from: string;
  pool: Pool;
  logger: Logger;
  deliveries?: Counter<'outcome'> | undefined;
}): Mailer {
  const transport = nodemailer.createTransport(options.url, { from: options.from });
  const delivery = new MailDelivery(
    options.pool,
    transport,
    options.from,
    options.logger,
    undefined,
    options.deliveries,
  );
  delivery.start();
  return {
    kind: 'smtp',
    send: (message) => delivery.enqueue(message),
    queue: (db, message) => insertOutbox(db, message, 'queued'),
    // The pass outlives the request that woke it; its client leaving must not cancel it.
    wake: () => void delivery.kick(),
    close: () => delivery.close(),
  };
}

/** With no SMTP configured, mail is kept in hearth.outbox for the admin API and dashboard. */
export function outboxMailer(pool: Pool): Mailer {
  return {
    kind: 'outbox',
    send: (message) => insertOutbox(pool, message, 'kept'),
    queue: (db, message) => insertOutbox(db, message, 'kept'),
    wake: () => undefined,
    close: async () => undefined,
  };
}

export function createMailer(options: {
  smtpUrl: string | undefined;
  from: string;
  pool: Pool;
  logger: Logger;
  /** hearth_mail_deliveries_total, when metrics are on. */
  deliveries?: Counter<'outcome'> | undefined;
}): Mailer {
  const { smtpUrl, from, pool, logger, deliveries } = options;
  return smtpUrl ? smtpMailer({ url: smtpUrl, from, pool, logger, deliveries }) : outboxMailer(pool);
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
