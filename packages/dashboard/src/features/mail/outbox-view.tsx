import { useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { FormAlert } from '../../shared/form-alert.tsx';
import { OutboxFilterForm } from './outbox-filter-form.tsx';
import { OutboxTable } from './outbox-table.tsx';
import { useMailRetry } from './use-mail-retry.ts';
import { useOutbox } from './use-outbox.ts';
import { filterFromSearch, searchOfFilter, type OutboxFilter } from './outbox-filter.ts';
import { outboxSummary } from './outbox-summary.ts';

/** The Mail page's content: filters, the outbox table, paging and retry. */
export function OutboxView() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filter = filterFromSearch(search);
  const outbox = useOutbox(filter);
  const retry = useMailRetry(outbox.update);
  const [openId, setOpenId] = useState<string>();

  function apply(next: OutboxFilter): void {
    const nextSearch = searchOfFilter(next);
    // The same filter again means "look again"; a new one is a new address, so Back returns to the last.
    if (nextSearch === searchOfFilter(filter)) outbox.refresh();
    else navigate(`/mail${nextSearch}`);
  }

  return (
    <>
      <p className="intro">
        Every mail Hearth sends is written to the outbox first. When <code>HEARTH_SMTP_URL</code> is not set,
        it stays here as <em>kept</em>: open a mail to copy its link.
      </p>
      {/* Remounted when the address changes (Back, Clear), so the inputs show the filter in effect. */}
      <OutboxFilterForm key={searchOfFilter(filter)} filter={filter} onApply={apply} />
      {outbox.problem === undefined ? null : <FormAlert>{outbox.problem}</FormAlert>}
      {retry.problem === undefined ? null : <FormAlert>{retry.problem}</FormAlert>}
      <div className="outbox-toolbar">
        <p role="status" data-testid="outbox-summary">
          {outboxSummary({
            state: outbox.state,
            count: outbox.items.length,
            hasMore: outbox.hasMore,
            filter,
          })}
        </p>
        <button type="button" className="secondary" onClick={outbox.refresh}>
          Refresh
        </button>
      </div>
      {outbox.items.length === 0 ? null : (
        <OutboxTable
          items={outbox.items}
          openId={openId}
          onToggle={(id) => setOpenId((current) => (current === id ? undefined : id))}
          onRetry={(mail) => void retry.retry(mail)}
          retrying={retry.pending}
        />
      )}
      {outbox.hasMore ? (
        <p className="load-more">
          <button
            type="button"
            className="secondary"
            disabled={outbox.state === 'more'}
            aria-busy={outbox.state === 'more' || undefined}
            onClick={outbox.loadMore}
          >
            {outbox.state === 'more' ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : null}
    </>
  );
}
