import { TimeStamp } from '../../shared/time-stamp.tsx';
import type { ServiceKey } from '@hearth/client';
import { TableHead } from '../../shared/table-head.tsx';

interface KeysTableProps {
  items: readonly ServiceKey[];
  onRevoke(key: ServiceKey): void;
  /** Ids of the keys whose revocation is running. */
  revoking: ReadonlySet<string>;
}

/** One row per key that still works. */
export function KeysTable({ items, onRevoke, revoking }: KeysTableProps) {
  return (
    <div className="table-scroll">
      <table className="outbox">
        <caption className="visually-hidden">Service keys that are not revoked</caption>
        <TableHead columns={['Name', 'Key starts with', 'Created', 'Last used']} />
        <tbody>
          {items.map((key) => {
            const pending = revoking.has(key.id);
            return (
              <tr key={key.id} data-key-id={key.id}>
                <td className="wrap">{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>
                  <TimeStamp iso={key.createdAt} />
                </td>
                <td>{key.lastUsedAt === null ? 'never' : <TimeStamp iso={key.lastUsedAt} />}</td>
                <td>
                  <button
                    type="button"
                    className="secondary small"
                    disabled={pending}
                    aria-busy={pending || undefined}
                    aria-label={`Revoke the key ${key.name}`}
                    onClick={() => onRevoke(key)}
                  >
                    {pending ? 'Revoking…' : 'Revoke'}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
