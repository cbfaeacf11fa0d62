import { describe, expect, it } from 'vitest';
import { filterFromSearch, normalizeRecipient, searchOfFilter } from './outbox-filter.ts';

describe('normalizeRecipient', () => {
  it('writes the address as the outbox has it: trimmed, lower case', () => {
    expect(normalizeRecipient('  Ada@Example.TEST ')).toBe('ada@example.test');
  });

  it('treats blank and over-long input as no filter', () => {
    expect(normalizeRecipient('')).toBeUndefined();
    expect(normalizeRecipient(' \t ')).toBeUndefined();
    expect(normalizeRecipient(`${'a'.repeat(243)}@example.te`)).toHaveLength(254);
    expect(normalizeRecipient(`${'a'.repeat(244)}@example.te`)).toBeUndefined();
  });
});

describe('filterFromSearch', () => {
  it('reads the recipient and a known status', () => {
    expect(filterFromSearch('?to=Ada%40example.test&status=failed')).toEqual({
      to: 'ada@example.test',
      status: 'failed',
    });
    expect(filterFromSearch('status=kept')).toEqual({ status: 'kept' });
    expect(filterFromSearch('')).toEqual({});
  });

  it('leaves out what the server would refuse instead of sending it', () => {
    for (const status of [
      'FAILED',
      'bounced',
      '',
      'failed\u0000',
      "failed' OR '1'='1",
      'toString',
      '__proto__',
    ]) {
      expect(filterFromSearch(`?status=${encodeURIComponent(status)}`), status).toEqual({});
    }
    expect(filterFromSearch(`?to=${'a'.repeat(300)}`)).toEqual({});
  });

  it('keeps a plus sign in an address, as typed in a shared link', () => {
    expect(filterFromSearch(`?to=${encodeURIComponent('ada+test@example.test')}`)).toEqual({
      to: 'ada+test@example.test',
    });
  });

  it('takes the first value when a parameter is repeated', () => {
    expect(filterFromSearch('?status=sent&status=failed')).toEqual({ status: 'sent' });
  });
});

describe('searchOfFilter', () => {
  it('round-trips through filterFromSearch', () => {
    const filters = [
      {},
      { to: 'ada+x@example.test' },
      { status: 'queued' as const },
      { to: 'a&b=c@x.test', status: 'sent' as const },
    ];
    for (const filter of filters) expect(filterFromSearch(searchOfFilter(filter))).toEqual(filter);
  });

  it('is empty for no filter and starts with ? otherwise', () => {
    expect(searchOfFilter({})).toBe('');
    expect(searchOfFilter({ status: 'failed' })).toBe('?status=failed');
  });
});
