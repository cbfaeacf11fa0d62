import { useState } from 'react';
import { Field } from '../../shared/field.tsx';
import { SelectField } from '../../shared/select-field.tsx';
import {
  isOutboxStatus,
  normalizeRecipient,
  recipientMaxLength,
  type OutboxFilter,
} from './outbox-filter.ts';

const statusOptions = [
  { value: '', label: 'Any status' },
  { value: 'kept', label: 'kept (no SMTP)' },
  { value: 'queued', label: 'queued' },
  { value: 'sent', label: 'sent' },
  { value: 'failed', label: 'failed' },
];

interface OutboxFilterFormProps {
  /** The filter in effect; the inputs start from it. */
  filter: OutboxFilter;
  onApply(filter: OutboxFilter): void;
}

/** Recipient and status filters for the Mail page, applied together with one button. */
export function OutboxFilterForm({ filter, onApply }: OutboxFilterFormProps) {
  const [to, setTo] = useState(filter.to ?? '');
  const [status, setStatus] = useState<string>(filter.status ?? '');
  const filtered = filter.to !== undefined || filter.status !== undefined;

  return (
    <form
      className="filters"
      aria-label="Filter mail"
      onSubmit={(event) => {
        event.preventDefault();
        const recipient = normalizeRecipient(to);
        onApply({
          ...(recipient === undefined ? {} : { to: recipient }),
          ...(isOutboxStatus(status) ? { status } : {}),
        });
      }}
    >
      <Field
        name="to"
        label="Recipient"
        type="email"
        autoComplete="off"
        value={to}
        onChange={setTo}
        maxLength={recipientMaxLength}
        hint="The whole address; leave empty for every recipient."
      />
      <SelectField name="status" label="Status" value={status} onChange={setStatus} options={statusOptions} />
      <div className="filter-buttons">
        <button type="submit" className="primary">
          Apply filters
        </button>
        {filtered ? (
          <button type="button" className="secondary" onClick={() => onApply({})}>
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
}
