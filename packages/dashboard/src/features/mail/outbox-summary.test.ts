import { describe, expect, it } from 'vitest';
import { outboxSummary } from './outbox-summary.ts';

describe('outboxSummary', () => {
  const ready = { state: 'ready' as const, count: 0, hasMore: false, filter: {} };

  it('says what is shown, in the order shown', () => {
    expect(outboxSummary({ ...ready, count: 1 })).toBe('Showing 1 mail, newest first.');
    expect(outboxSummary({ ...ready, count: 50, hasMore: true })).toBe(
      'Showing 50 mails, newest first; there is more.',
    );
    expect(outboxSummary({ ...ready, state: 'more', count: 50, hasMore: true })).toBe(
      'Showing 50 mails, newest first; there is more.',
    );
  });

  it('tells an empty outbox from a filter that matches nothing', () => {
    expect(outboxSummary(ready)).toBe('No mail yet.');
    expect(outboxSummary({ ...ready, filter: { status: 'failed' } })).toBe('No mail matches these filters.');
    expect(outboxSummary({ ...ready, filter: { to: 'a@x.test' } })).toBe('No mail matches these filters.');
  });

  it('says when it is loading or failed', () => {
    expect(outboxSummary({ ...ready, state: 'loading', count: 3 })).toBe('Loading mail…');
    expect(outboxSummary({ ...ready, state: 'failed' })).toBe('No mail shown.');
  });
});
