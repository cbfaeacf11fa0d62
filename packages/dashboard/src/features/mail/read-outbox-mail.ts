import type { OutboxMail } from '@hearth/client';
import { hearth } from '../../hearth.ts';

/**
 * A fresh copy of one mail. The API has no single-mail read, so this lists
 * the mail to the same address (newest first) and picks it out; undefined
 * when it is gone or older than the newest `limit` mails to that address.
 */
export async function readOutboxMail(mail: OutboxMail, limit = 100): Promise<OutboxMail | undefined> {
  const page = await hearth.admin.outbox.list({ to: mail.to, limit });
  return page.items.find((item) => item.id === mail.id);
}
