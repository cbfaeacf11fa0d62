import type { HttpClient } from '../http-client.js';
import type { ListOutboxParams, OutboxMail, OutboxPage } from './admin-types.js';
import { adminPath } from './admin-path.js';

/** `client.admin.outbox`: the mail the server sent or keeps (without SMTP, all of it). */
export class AdminOutboxClient {
  constructor(private readonly http: HttpClient) {}

  /** One page, newest first. */
  list(params: ListOutboxParams = {}): Promise<OutboxPage> {
    return this.http.request<OutboxPage>('GET', adminPath('outbox'), { query: { ...params } });
  }

  /** Queues a failed mail again; resolves with it as the list shows it. */
  async retry(id: string): Promise<OutboxMail> {
    return (await this.http.request<{ mail: OutboxMail }>('POST', adminPath('outbox', id, 'retry'))).mail;
  }
}
