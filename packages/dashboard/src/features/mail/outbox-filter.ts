import { outboxStatuses, type OutboxStatus } from '@hearth/client';

/** The server refuses a longer `to` with 400, so the page never sends one. */
export const recipientMaxLength = 254;

/** What the Mail page shows: every mail, or those to one address and/or in one state. */
export interface OutboxFilter {
  to?: string;
  status?: OutboxStatus;
}

export function isOutboxStatus(value: unknown): value is OutboxStatus {
  return typeof value === 'string' && (outboxStatuses as readonly string[]).includes(value);
}

/**
 * The address as Hearth writes it into the outbox: auth mail goes to the
 * account's normalised email (trimmed, lower case), and the server matches
 * `to` exactly. Blank means no filter; an over-long one is no filter either.
 */
export function normalizeRecipient(input: string): string | undefined {
  const recipient = input.trim().toLowerCase();
  if (recipient === '' || recipient.length > recipientMaxLength) return undefined;
  return recipient;
}

/**
 * The filter in the page's address (`/_/mail?to=…&status=failed`), so a
 * filtered view survives a reload and can be linked to from an alert.
 * Values the server would refuse are left out rather than shown as an error.
 */
export function filterFromSearch(search: string): OutboxFilter {
  const params = new URLSearchParams(search);
  const to = normalizeRecipient(params.get('to') ?? '');
  const status = params.get('status');
  return {
    ...(to === undefined ? {} : { to }),
    ...(isOutboxStatus(status) ? { status } : {}),
  };
}

/** The query string for a filter, with its leading `?`; empty for no filter. */
export function searchOfFilter(filter: OutboxFilter): string {
  const params = new URLSearchParams();
  if (filter.to !== undefined) params.set('to', filter.to);
  if (filter.status !== undefined) params.set('status', filter.status);
  const search = params.toString();
  return search === '' ? '' : `?${search}`;
}
