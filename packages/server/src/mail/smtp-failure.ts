/** What nodemailer attaches to the errors it gives back (see its NodemailerError type). */
interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
}

/** The failure of one delivery attempt, as kept in hearth.outbox and logged. */
export interface SmtpFailure {
  /** true: retrying this mail cannot help (the row fails at once); false: retry with backoff. */
  permanent: boolean;
  /** The SMTP reply code, when the server answered (e.g. 451, 550). */
  responseCode: number | undefined;
  /** nodemailer's error code (EENVELOPE, EMESSAGE, ECONNECTION, EAUTH, …). */
  code: string | undefined;
  /** The error message with the server's reply, cut to 1000 characters, for last_error. */
  reason: string;
}

/**
 * Sorts a failed send into permanent or temporary. Permanent means the server
 * refused this mail for good: a 5xx reply to MAIL FROM, RCPT TO or DATA
 * (nodemailer's EENVELOPE and EMESSAGE), or an envelope nodemailer refused to
 * send at all (EENVELOPE with no reply, e.g. an invalid address). Everything
 * else is retried with backoff: 4xx replies, 503 (a confused session, not a
 * verdict on the mail, as RFC 5321 and nodemailer's `permanent` flag treat it),
 * connection and TLS errors, and 5xx replies that concern the SMTP server or
 * Hearth's credentials rather than this mail (a refused greeting, EHLO or AUTH):
 * failing the whole queue at once because a password is wrong would leave the
 * operator to retry every mail by hand.
 */
export function classifySmtpFailure(error: unknown): SmtpFailure {
  const fields: SmtpErrorFields = typeof error === 'object' && error !== null ? error : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const responseCode = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const aboutThisMail = code === 'EENVELOPE' || code === 'EMESSAGE';
  const permanent =
    aboutThisMail &&
    (responseCode === undefined || (responseCode >= 500 && responseCode < 600 && responseCode !== 503));
  const message = error instanceof Error ? error.message : String(error);
  return { permanent, responseCode, code, reason: message.slice(0, 1000) };
}
