import { useEffect, useState, type SetStateAction } from 'react';
import type { OutboxMail, OutboxPage } from '@hearth/client';
import { hearth } from '../../hearth.ts';
import { useLatestAnswer } from '../../shared/use-latest-answer.ts';
import { formProblem } from '../../shared/form-problem.ts';
import type { OutboxFilter } from './outbox-filter.ts';
import { appendPage, replaceMail } from './outbox-mail.ts';

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxList {
  items: OutboxMail[];
  /** loading: the first page (after a filter change or a refresh); more: the next page. */
  state: 'loading' | 'ready' | 'more' | 'failed';
  /** Why the last request failed; the items already shown stay. */
  problem: string | undefined;
  hasMore: boolean;
  loadMore(): void;
  refresh(): void;
  /** Shows a fresher copy of a mail in its row. */
  update(mail: OutboxMail): void;
}

/**
 * The outbox for one filter, newest first, a page at a time. A new filter or
 * a refresh starts again from the first page; an answer to a request made
 * for an earlier filter is dropped, so a slow one cannot overwrite a newer.
 */
export function useOutbox(filter: OutboxFilter): OutboxList {
  const [items, setItems] = useState<OutboxMail[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<OutboxList['state']>('loading');
  const [problem, setProblem] = useState<string>();
  const [refreshes, setRefreshes] = useState(0);
  const latest = useLatestAnswer();
  const { to, status } = filter;

  useEffect(() => {
    setItems([]);
    setCursor(null);
    setState('loading');
    setProblem(undefined);
    // `filter` is a new object each render; `to` and `status` are what it says.
    latest.replace(
      hearth.admin.outbox.list({ ...filter, limit: OUTBOX_PAGE_SIZE }),
      (page) => showPage(page.items, page),
      (error) => {
        setProblem(`The mail could not be loaded. ${formProblem(error).message}`);
        setState('failed');
      },
    );
    return latest.dropAll;
  }, [to, status, refreshes]);

  function loadMore(): void {
    if (cursor === null || state !== 'ready') return;
    setState('more');
    setProblem(undefined);
    latest.follow(
      hearth.admin.outbox.list({ ...filter, limit: OUTBOX_PAGE_SIZE, cursor }),
      (page) => showPage((shown) => appendPage(shown, page.items), page),
      (error) => {
        setProblem(`More mail could not be loaded. ${formProblem(error).message}`);
        setState('ready');
      },
    );
  }

  function showPage(items: SetStateAction<OutboxMail[]>, page: OutboxPage): void {
    setItems(items);
    setCursor(page.nextCursor);
    setState('ready');
  }

  return {
    items,
    state,
    problem,
    hasMore: cursor !== null,
    loadMore,
    refresh: () => setRefreshes((count) => count + 1),
    update: (mail) => setItems((shown) => replaceMail(shown, mail)),
  };
}
