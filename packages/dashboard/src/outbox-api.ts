import { hearth } from './hearth.ts';
import type { OutboxFilter } from './lib/outbox-filter.ts';
import type { OutboxMail, OutboxPage } from './lib/outbox-mail.ts';

/** One page of GET /api/admin/outbox, newest first; `cursor` is the previous page's nextCursor. */
export function listOutbox(filter: OutboxFilter, limit: number, cursor?: string): Promise<OutboxPage> {
  return hearth.http.request<OutboxPage>('GET', '/api/admin/outbox', {
    query: { to: filter.to, status: filter.status, limit, cursor },
  });
}

/** POST /api/admin/outbox/:id/retry: the failed mail queued again, as the list shows it. */
export async function retryOutboxMail(id: string): Promise<OutboxMail> {
  const answer = await hearth.http.request<{ mail: OutboxMail }>(
    'POST',
    `/api/admin/outbox/${encodeURIComponent(id)}/retry`,
  );
  return answer.mail;
}

/**
 * A fresh copy of one mail. The API has no single-mail read, so this lists
 * the mail to the same address (newest first) and picks it out; undefined
 * when it is gone or older than the newest `limit` mails to that address.
 */
export async function readOutboxMail(mail: OutboxMail, limit = 100): Promise<OutboxMail | undefined> {
  const page = await listOutbox({ to: mail.to }, limit);
  return page.items.find((item) => item.id === mail.id);
}
