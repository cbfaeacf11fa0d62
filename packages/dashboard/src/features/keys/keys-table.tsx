import { TimeStamp } from '../../shared/time-stamp.tsx';
import type { ServiceKey } from '@hearth/client';

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
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key starts with</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
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
