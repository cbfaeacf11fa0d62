import { useState } from 'react';
import { FormAlert } from '../../shared/form-alert.tsx';
import type { CreatedServiceKey } from '@hearth/client';

/** The new key, shown this once: the server keeps only its hash. */
export function CreatedKey({ created, onDone }: { created: CreatedServiceKey; onDone(): void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  return (
    <FormAlert tone="success">
      <p>
        Created the key <strong>{created.name}</strong>. Copy it now: it is not shown again.
      </p>
      <p>
        <code className="new-key" data-testid="new-key" tabIndex={0}>
          {created.key}
        </code>
      </p>
      <p className="filter-buttons">
        <button
          type="button"
          className="secondary small"
          onClick={() =>
            void navigator.clipboard.writeText(created.key).then(
              () => setCopied('yes'),
              () => setCopied('failed'),
            )
          }
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="secondary small" onClick={onDone}>
          Done
        </button>
        {copied === 'failed' ? <span> The browser refused; select the key and copy it.</span> : null}
      </p>
    </FormAlert>
  );
}
