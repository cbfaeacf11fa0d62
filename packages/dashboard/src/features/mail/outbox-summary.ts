import type { OutboxFilter } from './outbox-filter.ts';

/** The one line above the Mail table, read out when it changes: what is shown, or why nothing is. */
export function outboxSummary(view: {
  state: 'loading' | 'ready' | 'more' | 'failed';
  count: number;
  hasMore: boolean;
  filter: OutboxFilter;
}): string {
  if (view.state === 'loading') return 'Loading mail…';
  if (view.state === 'failed') return 'No mail shown.';
  const filtered = view.filter.to !== undefined || view.filter.status !== undefined;
  if (view.count === 0) return filtered ? 'No mail matches these filters.' : 'No mail yet.';
  const mails = view.count === 1 ? '1 mail' : `${view.count} mails`;
  return `Showing ${mails}, newest first${view.hasMore ? '; there is more' : ''}.`;
}
