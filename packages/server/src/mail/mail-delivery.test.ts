import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, startSmtpSink, type SmtpSink, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createMetrics, type Metrics } from '../ops/metrics.js';
import { MailDelivery, retryDelaySeconds } from './mail-delivery.js';
import { countOutboxByStatus } from './outbox.js';

const logger = createLogger('silent');
let database: TestDatabase;
let pool: Pool;
let sink: SmtpSink;
const deliveries: MailDelivery[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 6, logger });
  await migrateSystemSchema(pool, logger);
  sink = await startSmtpSink();
});
afterAll(async () => {
  await Promise.all(deliveries.map((delivery) => delivery.close()));
  await sink?.close();
  await pool?.end();
  await database?.drop();
});
beforeEach(async () => {
  await pool.query('TRUNCATE hearth.outbox');
  sink.clear();
  sink.refuseNext(0);
});

/** A delivery worker that only runs when kicked (no polling during the test). */
function delivery(options: { url?: string; logger?: Logger; metrics?: Metrics } = {}): MailDelivery {
  const transport = nodemailer.createTransport(options.url ?? sink.url);
  const created = new MailDelivery(
    pool,
    transport,
    'Hearth <no-reply@example.test>',
    options.logger ?? logger,
    3_600_000,
    options.metrics?.mailDeliveries,
  );
  deliveries.push(created);
  return created;
}

async function rows() {
  const result = await pool.query<{
    to: string;
    status: string;
    attempts: number;
    last_error: string | null;
    retry_in: number | null;
  }>(
    `SELECT "to", status, attempts, last_error,
            extract(epoch FROM next_attempt_at - now())::int AS retry_in
     FROM hearth.outbox ORDER BY created_at`,
  );
  return result.rows;
}

const mail = (to: string) => ({ to, subject: `Hello ${to}`, text: 'Body' });

describe('MailDelivery', () => {
  it('queues a mail in the outbox, then delivers it and marks it sent', async () => {
    const worker = delivery();
    await worker.enqueue(mail('first@example.test'));
    await worker.kick();
    const received = await sink.waitForMail((m) => m.to.includes('first@example.test'));
    expect(received.subject).toBe('Hello first@example.test');
    expect(await rows()).toEqual([
      { to: 'first@example.test', status: 'sent', attempts: 1, last_error: null, retry_in: null },
    ]);
  });

  it('keeps a mail the SMTP server refused, retries it with backoff, then sends it', async () => {
    const worker = delivery();
    sink.refuseNext(1);
    await worker.enqueue(mail('busy@example.test'));
    await worker.kick();
    const [refused] = await rows();
    expect(refused).toMatchObject({ status: 'queued', attempts: 1 });
    expect(refused?.last_error).toMatch(/451/);
    expect(refused?.retry_in).toBeGreaterThan(20);
    expect(refused?.retry_in).toBeLessThanOrEqual(30);

    // Not due yet: a pass leaves it alone.
    await worker.kick();
    expect((await rows())[0]?.attempts).toBe(1);

    await pool.query('UPDATE hearth.outbox SET next_attempt_at = now()');
    await worker.kick();
    expect(await rows()).toEqual([
      { to: 'busy@example.test', status: 'sent', attempts: 2, last_error: null, retry_in: null },
    ]);
    expect(sink.messages).toHaveLength(1);
  });

  it('retries a temporarily refused mail until its 8th attempt, then marks it failed', async () => {
    // docs/auth.md: marked "failed" after 8 attempts. The literal, not the constant, so that
    // changing the code without the docs fails here.
    const documentedAttempts = 8;
    const worker = delivery();
    for (const [to, attempts] of [
      ['seventh@example.test', documentedAttempts - 2],
      ['eighth@example.test', documentedAttempts - 1],
    ] as const) {
      await pool.query(
        `INSERT INTO hearth.outbox ("to", subject, text, status, attempts, next_attempt_at)
         VALUES ($1, 's', 't', 'queued', $2, now())`,
        [to, attempts],
      );
    }
    sink.refuseNext(2);
    await worker.kick();
    expect(await rows()).toMatchObject([
      { to: 'seventh@example.test', status: 'queued', attempts: documentedAttempts - 1 },
      {
        to: 'eighth@example.test',
        status: 'failed',
        attempts: documentedAttempts,
        retry_in: null,
        last_error: expect.stringMatching(/451/),
      },
    ]);
    // The waits between those attempts add up to about an hour, as documented.
    const waits = Array.from({ length: documentedAttempts - 1 }, (_, i) => retryDelaySeconds(i + 1));
    expect(waits.reduce((sum, seconds) => sum + seconds, 0)).toBe(3810);
  });

  it.each([
    { refusal: { code: 550 }, says: /550 Requested action not taken: mailbox unavailable/ },
    { refusal: { code: 553, message: 'Mailbox name not allowed' }, says: /553 Mailbox name not allowed/ },
    {
      refusal: { code: 554, message: 'Rejected as spam', at: 'data' as const },
      says: /554 Rejected as spam/,
    },
  ])(
    'fails a mail the SMTP server refuses for good ($refusal.code) at once, without retrying',
    async ({ refusal, says }) => {
      const worker = delivery();
      sink.refuseNext(1, refusal);
      await worker.enqueue(mail('nobody@example.test'));
      await worker.kick();
      const [failed] = await rows();
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, retry_in: null });
      expect(failed?.last_error).toMatch(says);

      // Even when due again by accident, a failed mail is never picked up.
      await pool.query('UPDATE hearth.outbox SET next_attempt_at = now()');
      await worker.kick();
      expect((await rows())[0]).toMatchObject({ status: 'failed', attempts: 1 });
      expect(sink.messages).toHaveLength(0);
    },
  );

  it.each([
    { refusal: { code: 421, message: 'Service shutting down' }, says: /421/ },
    { refusal: { code: 452, message: 'Insufficient storage' }, says: /452/ },
    { refusal: { code: 450, at: 'data' as const }, says: /450/ },
    { refusal: { code: 503, message: 'Bad sequence of commands' }, says: /503/ },
  ])('keeps retrying a mail refused with $refusal.code, a temporary answer', async ({ refusal, says }) => {
    const worker = delivery();
    sink.refuseNext(1, refusal);
    await worker.enqueue(mail('later@example.test'));
    await worker.kick();
    const [queued] = await rows();
    expect(queued).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queued?.last_error).toMatch(says);
    expect(queued?.retry_in).toBeGreaterThan(20);
  });

  it('keeps retrying while the SMTP server cannot be reached at all', async () => {
    const closed = await startSmtpSink();
    const url = closed.url;
    await closed.close();
    const worker = delivery({ url });
    await worker.enqueue(mail('offline@example.test'));
    await worker.kick();
    const [queued] = await rows();
    expect(queued).toMatchObject({ status: 'queued', attempts: 1 });
    expect(queued?.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(queued?.retry_in).toBeGreaterThan(20);
  });

  it('fails only the refused mail of a batch; the others are sent', async () => {
    const worker = delivery();
    await pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text, status, next_attempt_at, created_at)
       SELECT 'b' || g || '@example.test', 's', 't', 'queued', now(), now() + g * interval '1 ms'
       FROM generate_series(1, 3) g`,
    );
    sink.refuseNext(1, { code: 550 });
    await worker.kick();
    const statuses = (await rows()).map((row) => row.status).sort();
    expect(statuses).toEqual(['failed', 'sent', 'sent']);
    expect(sink.messages).toHaveLength(2);
  });

  it('logs a failed mail by its outbox id at warn, never with its body or link token', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const capture = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const worker = delivery({ logger: capture });
    sink.refuseNext(1, { code: 550 });
    await worker.enqueue({
      to: 'secret@example.test',
      subject: 'Reset your password',
      text: 'Open https://hearth.test/_/auth/reset-password?token=SECRET-TOKEN-123 to reset.',
      html: '<a href="https://hearth.test/?token=SECRET-TOKEN-123">reset</a>',
    });
    await worker.kick();
    const { rows: stored } = await pool.query<{ id: string }>('SELECT id FROM hearth.outbox');
    const failedLine = lines.find((line) => line['msg'] === 'mail delivery failed for good');
    expect(failedLine).toMatchObject({
      level: 40,
      mailId: stored[0]?.id,
      attempt: 1,
      permanent: true,
      code: 'EENVELOPE',
      responseCode: 550,
    });
    expect(JSON.stringify(lines)).not.toContain('SECRET-TOKEN-123');
    expect(JSON.stringify(lines)).not.toContain('reset-password');
  });

  it('delivers each mail exactly once when several nodes work the same queue', async () => {
    const workers = [delivery(), delivery(), delivery()];
    await pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text, status, next_attempt_at)
       SELECT 'n' || g || '@example.test', 's', 't', 'queued', now() FROM generate_series(1, 25) g`,
    );
    await Promise.all(workers.map((worker) => worker.kick()));
    const recipients = sink.messages.flatMap((m) => m.to);
    expect(recipients).toHaveLength(25);
    expect(new Set(recipients).size).toBe(25);
    expect((await rows()).every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
  });

  it('counts deliveries by outcome and the outbox by status for /metrics', async () => {
    const metrics = createMetrics({ outboxByStatus: () => countOutboxByStatus(pool), logger });
    const worker = delivery({ metrics });
    const sample = async (name: string, labels: string) => {
      const text = await metrics.registry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
      return line === undefined ? undefined : Number(line.split(' ')[1]);
    };
    // Zero before anything happens, so a rate() over the counter starts from a known point.
    expect(await sample('hearth_mail_deliveries_total', 'outcome="failed"')).toBe(0);

    // Mail that is kept (no SMTP) or sent is not counted by the gauge.
    await pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text) VALUES ('kept@example.test', 's', 't')`,
    );
    await worker.enqueue(mail('sent@example.test'));
    await worker.kick();
    sink.refuseNext(1);
    await worker.enqueue(mail('busy@example.test'));
    await worker.kick();
    sink.refuseNext(2, { code: 550 });
    await worker.enqueue(mail('gone1@example.test'));
    await worker.enqueue(mail('gone2@example.test'));
    await worker.kick();

    expect(await sample('hearth_mail_deliveries_total', 'outcome="sent"')).toBe(1);
    expect(await sample('hearth_mail_deliveries_total', 'outcome="retry"')).toBe(1);
    expect(await sample('hearth_mail_deliveries_total', 'outcome="failed"')).toBe(2);
    expect(await sample('hearth_mail_outbox_messages', 'status="queued"')).toBe(1);
    expect(await sample('hearth_mail_outbox_messages', 'status="failed"')).toBe(2);

    await pool.query(`UPDATE hearth.outbox SET status = 'sent' WHERE status = 'failed'`);
    expect(await sample('hearth_mail_outbox_messages', 'status="failed"')).toBe(0);
  });

  it('still answers /metrics when the outbox cannot be counted, without the stale gauge', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const capture = createLogger('info', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    let down = false;
    const metrics = createMetrics({
      outboxByStatus: () => (down ? Promise.reject(new Error('database down')) : countOutboxByStatus(pool)),
      logger: capture,
    });
    await pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text, status) VALUES ('f@example.test', 's', 't', 'failed')`,
    );
    expect(await metrics.registry.metrics()).toMatch(/^hearth_mail_outbox_messages\{status="failed"\} 1$/m);
    down = true;
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/^hearth_mail_outbox_messages\{/m);
    expect(text).toMatch(/^hearth_mail_deliveries_total\{outcome="sent"\} 0$/m);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'could not count the mail outbox for /metrics' }),
    );
  });

  it('waits 30 s after the first failure, doubling up to an hour', () => {
    expect([1, 2, 3, 4, 8, 20].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 3600, 3600]);
  });
});
