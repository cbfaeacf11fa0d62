import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { closeOnce } from './close-once.js';
import { extractAddress, parseMessage } from './mime.js';
import type { MimeAttachment } from './mime.js';
import { boundPort, listenOnLoopback } from './ports.js';

export interface CapturedMail {
  /** The From header's address (the envelope sender when there is no From). */
  from: string;
  /** Every envelope recipient, Bcc included. */
  to: string[];
  envelope: { from: string; to: string[] };
  subject: string;
  text: string | undefined;
  html: string | undefined;
  attachments: MimeAttachment[];
  /** Decoded header values by lower-case name. */
  headers: Map<string, string[]>;
  /** http(s) links found in the text and HTML bodies, e.g. a verification link. */
  links: string[];
  raw: string;
  /** The SMTP login the client used, if any. */
  user: string | undefined;
  receivedAt: Date;
}

export interface SmtpSink {
  host: '127.0.0.1';
  port: number;
  /** smtp://127.0.0.1:PORT, no TLS. */
  url: string;
  /** What the server reads to send mail here instead of to its outbox table. */
  env(): { HEARTH_SMTP_URL: string };
  messages: CapturedMail[];
  /** Resolves with the first mail, already received or yet to come, that matches. */
  waitForMail(predicate?: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  clear(): void;
  /** Refuses the next `count` mails with a temporary 451, as a busy server does. */
  refuseNext(count: number): void;
  close(): Promise<void>;
}

/** An SMTP server that accepts any login (or none) and keeps every mail in memory. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const { SMTPServer } = await import('smtp-server');
  const messages: CapturedMail[] = [];
  const waiters = new Set<(mail: CapturedMail) => void>();
  let refusals = 0;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(_address, _session, callback) {
      if (refusals > 0) {
        refusals -= 1;
        const busy = Object.assign(new Error('Try again later'), { responseCode: 451 });
        return callback(busy);
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        try {
          const mail = capture(Buffer.concat(chunks), session);
          messages.push(mail);
          for (const notify of waiters) notify(mail);
          callback();
        } catch (error) {
          callback(error instanceof Error ? error : new Error(String(error)));
        }
      });
    },
  });
  await listenOnLoopback(server.server);
  const port = boundPort(server.server);

  const waitForMail = (predicate: (mail: CapturedMail) => boolean = () => true, timeoutMs = 5_000) => {
    const found = messages.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<CapturedMail>((resolve, reject) => {
      const notify = (mail: CapturedMail): void => {
        if (!predicate(mail)) return;
        waiters.delete(notify);
        clearTimeout(timer);
        resolve(mail);
      };
      const timer = setTimeout(() => {
        waiters.delete(notify);
        const seen = messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('; ') || 'none';
        reject(new Error(`no matching mail within ${timeoutMs} ms (received: ${seen})`));
      }, timeoutMs);
      waiters.add(notify);
    });
  };

  return {
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    env: () => ({ HEARTH_SMTP_URL: `smtp://127.0.0.1:${port}` }),
    messages,
    waitForMail,
    refuseNext(count) {
      refusals = count;
    },
    clear: () => void messages.splice(0),
    close: closeOnce(() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

function capture(raw: Buffer, session: SMTPServerSession): CapturedMail {
  const parsed = parseMessage(raw);
  const envelopeFrom = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
  const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
  const fromHeader = parsed.headers.get('from')?.[0];
  return {
    from: fromHeader === undefined ? envelopeFrom : extractAddress(fromHeader),
    to: envelopeTo,
    envelope: { from: envelopeFrom, to: envelopeTo },
    subject: parsed.headers.get('subject')?.[0] ?? '',
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments,
    headers: parsed.headers,
    links: findLinks(parsed.text, parsed.html),
    raw: raw.toString('utf8'),
    user: typeof session.user === 'string' ? session.user : undefined,
    receivedAt: new Date(),
  };
}

function findLinks(text: string | undefined, html: string | undefined): string[] {
  const links = new Set<string>();
  for (const match of (text ?? '').matchAll(/https?:\/\/[^\s<>"')\]]+/g)) links.add(match[0]);
  for (const match of (html ?? '').matchAll(/href\s*=\s*"(https?:[^"]+)"/gi)) {
    links.add((match[1] ?? '').replace(/&amp;/g, '&'));
  }
  return [...links];
}
