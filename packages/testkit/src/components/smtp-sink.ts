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

/** How the sink refuses mail: the reply code and text, and the command that gets it. */
export interface SmtpRefusal {
  /** SMTP reply code: 4xx is temporary (default 451), 5xx permanent (550, 553, 554, …). */
  code?: number;
  /** Reply text; by default one that fits the code. */
  message?: string;
  /** 'rcpt' (default): refuse the recipient; 'data': take the message, then refuse it. */
  at?: 'rcpt' | 'data';
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
  /**
   * Refuses the next `count` mails: by default with a temporary 451 to the
   * recipient, as a busy server does; `{ code: 550 }` refuses for good, and
   * `{ at: 'data' }` refuses after the message was sent. 0 stops refusing.
   */
  refuseNext(count: number, refusal?: SmtpRefusal): void;
  close(): Promise<void>;
}

/** An SMTP server that accepts any login (or none) and keeps every mail in memory. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const { SMTPServer } = await import('smtp-server');
  const messages: CapturedMail[] = [];
  const waiters = new Set<(mail: CapturedMail) => void>();
  let refusals = 0;
  let refusal: Required<SmtpRefusal> = refusalWith({});
  /** Uses up one refusal if the next one is due at this command. */
  const refusalAt = (at: SmtpRefusal['at']): Error | undefined => {
    if (refusals <= 0 || refusal.at !== at) return undefined;
    refusals -= 1;
    return Object.assign(new Error(refusal.message), { responseCode: refusal.code });
  };

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
      callback(refusalAt('rcpt'));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const refused = refusalAt('data');
        if (refused) return callback(refused);
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
    refuseNext(count, options = {}) {
      refusals = count;
      refusal = refusalWith(options);
    },
    clear: () => void messages.splice(0),
    close: closeOnce(() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

function refusalWith(options: SmtpRefusal): Required<SmtpRefusal> {
  const code = options.code ?? 451;
  if (!Number.isInteger(code) || code < 400 || code > 599) {
    throw new RangeError(`an SMTP refusal needs a 4xx or 5xx code, not ${code}`);
  }
  const fallback = code >= 500 ? 'Requested action not taken: mailbox unavailable' : 'Try again later';
  return { code, message: options.message ?? fallback, at: options.at ?? 'rcpt' };
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
