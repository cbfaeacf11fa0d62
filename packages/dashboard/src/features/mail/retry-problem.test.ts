import { HearthError } from '@hearth/client';
import { describe, expect, it } from 'vitest';
import { retryProblem } from './retry-problem.ts';

describe('retryProblem', () => {
  it("keeps the server's message for a mail that is not failed, and says its state now", () => {
    const conflict = new HearthError(
      'admin/mail-not-failed',
      'Only a mail whose delivery failed can be retried.',
      409,
      { status: 'sent' },
    );
    expect(retryProblem('ada@example.test', conflict)).toBe(
      'The mail to ada@example.test was not retried. Only a mail whose delivery failed can be retried. It is sent now.',
    );
  });

  it('says nothing about the state when the details do not name a known one', () => {
    for (const details of [
      undefined,
      null,
      'sent',
      { status: '<img src=x onerror=alert(1)>' },
      { status: 42 },
    ]) {
      const conflict = new HearthError('admin/mail-not-failed', 'Only a failed mail.', 409, details);
      expect(retryProblem('a@x.test', conflict)).toBe(
        'The mail to a@x.test was not retried. Only a failed mail.',
      );
    }
  });

  it("keeps the server's message for a mail that is gone", () => {
    const gone = new HearthError('admin/not-found', 'No such mail in the outbox.', 404);
    expect(retryProblem('a@x.test', gone)).toBe(
      'The mail to a@x.test was not retried. No such mail in the outbox.',
    );
  });

  it('explains a network failure', () => {
    const offline = new HearthError('client/network', 'fetch failed', 0);
    expect(retryProblem('a@x.test', offline)).toMatch(
      /^The mail to a@x.test was not retried. The server could not be reached/,
    );
  });
});
