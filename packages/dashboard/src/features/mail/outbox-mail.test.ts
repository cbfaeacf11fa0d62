import { describe, expect, it } from 'vitest';
import type { OutboxMail } from '@hearth/client';
import { appendPage, replaceMail, shouldCheckAgain } from './outbox-mail.ts';

const mail = (id: string, fields: Partial<OutboxMail> = {}): OutboxMail => ({
  id,
  to: 'ada@example.test',
  subject: `mail ${id}`,
  text: 'body',
  html: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'kept',
  attempts: 0,
  lastError: null,
  sentAt: null,
  ...fields,
});

describe('appendPage', () => {
  it('appends the next page in order', () => {
    expect(appendPage([mail('a'), mail('b')], [mail('c'), mail('d')]).map((m) => m.id)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });

  it('shows a mail once when a page is read twice', () => {
    const shown = [mail('a'), mail('b')];
    expect(appendPage(shown, [mail('b'), mail('c')]).map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(appendPage(shown, shown).map((m) => m.id)).toEqual(['a', 'b']);
    expect(appendPage([], [])).toEqual([]);
  });
});

describe('replaceMail', () => {
  it('replaces the fresher copy in place and leaves the rest alone', () => {
    const shown = [mail('a'), mail('b', { status: 'failed' }), mail('c')];
    const after = replaceMail(shown, mail('b', { status: 'queued', attempts: 0 }));
    expect(after.map((m) => `${m.id}:${m.status}`)).toEqual(['a:kept', 'b:queued', 'c:kept']);
    expect(after[0]).toBe(shown[0]);
  });

  it('adds nothing for a mail that is not shown', () => {
    const shown = [mail('a')];
    expect(replaceMail(shown, mail('z'))).toEqual(shown);
  });
});

describe('shouldCheckAgain', () => {
  it('follows a queued mail until it is sent or fails, for a bounded number of checks', () => {
    expect(shouldCheckAgain(mail('a', { status: 'queued' }), 0, 5)).toBe(true);
    expect(shouldCheckAgain(mail('a', { status: 'queued' }), 5, 5)).toBe(false);
    expect(shouldCheckAgain(mail('a', { status: 'sent' }), 1, 5)).toBe(false);
    expect(shouldCheckAgain(mail('a', { status: 'failed' }), 1, 5)).toBe(false);
    expect(shouldCheckAgain(undefined, 1, 5)).toBe(false);
  });
});
