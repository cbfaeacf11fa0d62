import { isHearthError } from '@hearth/client';
import { formProblem } from '../../shared/form-problem.ts';
import { isOutboxStatus } from './outbox-filter.ts';

/**
 * What the Mail page says when a retry is refused: the server's own message
 * (404: no such mail; 409: only a failed mail can be retried), naming the
 * mail, and for a 409 the state the mail is in now (`details.status`).
 */
export function retryProblem(to: string, error: unknown): string {
  const { message } = formProblem(error);
  const now =
    isHearthError(error) && error.code === 'admin/mail-not-failed' ? statusIn(error.details) : undefined;
  return `The mail to ${to} was not retried. ${message}${now === undefined ? '' : ` It is ${now} now.`}`;
}

function statusIn(details: unknown): string | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const status = (details as { status?: unknown }).status;
  return isOutboxStatus(status) ? status : undefined;
}
