import type { OutboxMail } from '@hearth/client';

/**
 * The list after "Load more": the next page appended, minus any mail already
 * shown (the list is ordered by creation, which a retry does not change, so
 * this only guards against a page read twice).
 */
export function appendPage(shown: readonly OutboxMail[], next: readonly OutboxMail[]): OutboxMail[] {
  const seen = new Set(shown.map((mail) => mail.id));
  return [...shown, ...next.filter((mail) => !seen.has(mail.id))];
}

/** The list with one mail replaced by a fresher copy of it, in place; unchanged when it is not shown. */
export function replaceMail(shown: readonly OutboxMail[], fresh: OutboxMail): OutboxMail[] {
  return shown.map((mail) => (mail.id === fresh.id ? fresh : mail));
}

/**
 * After a retry the page looks again a few times, so the admin sees the mail
 * go out (or fail again) without reloading. A queued mail on a server without
 * SMTP stays queued; the checks stop after `maxChecks`.
 */
export function shouldCheckAgain(
  mail: OutboxMail | undefined,
  checksDone: number,
  maxChecks: number,
): boolean {
  return mail !== undefined && mail.status === 'queued' && checksDone < maxChecks;
}
