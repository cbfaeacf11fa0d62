import { Fragment } from 'react';
import { MailMessage } from './mail-message.tsx';
import { TimeStamp } from '../../shared/time-stamp.tsx';
import type { OutboxMail } from '@hearth/client';
import { TableHead } from '../../shared/table-head.tsx';

const COLUMNS = 8;

interface OutboxTableProps {
  items: readonly OutboxMail[];
  /** The mail whose text is shown under its row. */
  openId: string | undefined;
  onToggle(id: string): void;
  onRetry(mail: OutboxMail): void;
  /** Ids of the mail whose retry is running. */
  retrying: ReadonlySet<string>;
}

/** The outbox, one row per mail; a mail's subject opens its text in a row below it. */
export function OutboxTable({ items, openId, onToggle, onRetry, retrying }: OutboxTableProps) {
  return (
    <div className="table-scroll">
      <table className="outbox">
        <caption className="visually-hidden">Mail in the outbox, newest first</caption>
        <TableHead columns={['Created', 'To', 'Subject', 'Status', 'Attempts', 'Last error', 'Sent']} />
        <tbody>
          {items.map((mail) => {
            const open = mail.id === openId;
            const detailId = `mail-${mail.id}`;
            return (
              <Fragment key={mail.id}>
                <tr data-mail-id={mail.id} className={open ? 'open' : undefined}>
                  <td>
                    <TimeStamp iso={mail.createdAt} />
                  </td>
                  <td>{mail.to}</td>
                  <td className="wrap">
                    <button
                      type="button"
                      className="link-button"
                      aria-expanded={open}
                      aria-controls={open ? detailId : undefined}
                      onClick={() => onToggle(mail.id)}
                    >
                      {mail.subject === '' ? '(no subject)' : mail.subject}
                    </button>
                  </td>
                  <td>
                    <span className={`mail-status mail-status-${mail.status}`}>{mail.status}</span>
                  </td>
                  <td className="number">{mail.attempts}</td>
                  <td className="wrap">{mail.lastError ?? '–'}</td>
                  <td>{mail.sentAt === null ? '–' : <TimeStamp iso={mail.sentAt} />}</td>
                  <td>
                    {mail.status === 'failed' ? (
                      <RetryButton mail={mail} pending={retrying.has(mail.id)} onRetry={onRetry} />
                    ) : null}
                  </td>
                </tr>
                {open ? (
                  <tr id={detailId} className="mail-detail">
                    <td colSpan={COLUMNS}>
                      <MailMessage mail={mail} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RetryButton(props: { mail: OutboxMail; pending: boolean; onRetry(mail: OutboxMail): void }) {
  const { mail, pending } = props;
  return (
    <button
      type="button"
      className="secondary small"
      disabled={pending}
      aria-busy={pending || undefined}
      aria-label={`Retry the mail to ${mail.to}: ${mail.subject}`}
      onClick={() => props.onRetry(mail)}
    >
      {pending ? 'Retrying…' : 'Retry'}
    </button>
  );
}
