import { useEffect, useRef, useState } from 'react';
import type { OutboxMail } from '@hearth/client';
import { hearth } from '../../hearth.ts';
import { shouldCheckAgain } from './outbox-mail.ts';
import { readOutboxMail } from './read-outbox-mail.ts';
import { retryProblem } from './retry-problem.ts';

const FOLLOW_CHECKS = 5;
const FOLLOW_INTERVAL_MS = 1_000;

export interface MailRetry {
  retry(mail: OutboxMail): Promise<void>;
  /** Ids of the mail whose retry request is running. */
  pending: ReadonlySet<string>;
  /** Why the last retry was refused. */
  problem: string | undefined;
}

/**
 * The Retry button's work: POST …/:id/retry, then the row shows the mail
 * queued, and a few checks a second apart show it sent (or failed again).
 * A refused retry (409: no longer failed; 404: gone) shows the server's
 * message and refreshes the row, so it tells the truth again.
 */
export function useMailRetry(update: (mail: OutboxMail) => void): MailRetry {
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /** Reads the mail again and shows it; undefined when it is gone or cannot be read now. */
  async function refreshRow(mail: OutboxMail): Promise<OutboxMail | undefined> {
    const fresh = await readOutboxMail(mail).catch(() => undefined);
    if (mounted.current && fresh !== undefined) update(fresh);
    return fresh;
  }

  async function followDelivery(mail: OutboxMail): Promise<void> {
    let current: OutboxMail | undefined = mail;
    for (let checks = 0; shouldCheckAgain(current, checks, FOLLOW_CHECKS); checks += 1) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
      if (!mounted.current) return;
      current = await refreshRow(mail);
    }
  }

  async function retry(mail: OutboxMail): Promise<void> {
    setProblem(undefined);
    setPending((ids) => new Set(ids).add(mail.id));
    try {
      const queued = await hearth.admin.outbox.retry(mail.id);
      if (!mounted.current) return;
      update(queued);
      void followDelivery(queued);
    } catch (error) {
      if (!mounted.current) return;
      setProblem(retryProblem(mail.to, error));
      void refreshRow(mail);
    } finally {
      if (mounted.current) {
        setPending((ids) => {
          const rest = new Set(ids);
          rest.delete(mail.id);
          return rest;
        });
      }
    }
  }

  return { retry, pending, problem };
}
