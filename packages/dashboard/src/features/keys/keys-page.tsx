import { useState } from 'react';
import { FormAlert } from '../../shared/form-alert.tsx';
import { AdminPage } from '../sign-in/admin-page.tsx';
import { formProblem } from '../../shared/form-problem.ts';
import { CreatedKey } from './created-key.tsx';
import { hearth } from '../../hearth.ts';
import type { CreatedServiceKey, ServiceKey } from '@hearth/client';
import { KeysTable } from './keys-table.tsx';
import { NewKeyForm } from './new-key-form.tsx';
import { useServiceKeys } from './use-service-keys.ts';

/** Service keys, for admins: create one (shown once), see which exist and when they were used, revoke. */
export function KeysPage() {
  return (
    <AdminPage title="Keys">
      <KeysView />
    </AdminPage>
  );
}

function KeysView() {
  const keys = useServiceKeys();
  const [created, setCreated] = useState<CreatedServiceKey>();
  const [revoking, setRevoking] = useState<ReadonlySet<string>>(new Set());
  const [problem, setProblem] = useState<string>();

  async function revoke(key: ServiceKey): Promise<void> {
    if (!window.confirm(`Revoke the key "${key.name}"? Whatever uses it stops working at once.`)) return;
    setProblem(undefined);
    setRevoking((ids) => new Set(ids).add(key.id));
    try {
      await hearth.admin.keys.revoke(key.id);
    } catch (error) {
      setProblem(`The key "${key.name}" could not be revoked. ${formProblem(error).message}`);
    } finally {
      setRevoking((ids) => {
        const rest = new Set(ids);
        rest.delete(key.id);
        return rest;
      });
      keys.refresh();
    }
  }

  return (
    <>
      <p className="intro">
        A service key acts as an admin for CI and servers (<code>HEARTH_SERVICE_KEY</code>,{' '}
        <code>Authorization: Bearer hearth_sk_…</code>). Hearth keeps only its hash, so a key is shown once,
        when it is created.
      </p>
      {created === undefined ? null : <CreatedKey created={created} onDone={() => setCreated(undefined)} />}
      <NewKeyForm
        onCreated={(key) => {
          setCreated(key);
          keys.refresh();
        }}
      />
      {keys.problem === undefined ? null : <FormAlert>{keys.problem}</FormAlert>}
      {problem === undefined ? null : <FormAlert>{problem}</FormAlert>}
      <p role="status" data-testid="keys-summary">
        {keys.state === 'loading'
          ? 'Loading keys…'
          : keys.items.length === 0
            ? 'No service keys yet.'
            : `${keys.items.length} ${keys.items.length === 1 ? 'key' : 'keys'}.`}
      </p>
      {keys.items.length === 0 ? null : (
        <KeysTable items={keys.items} revoking={revoking} onRevoke={(key) => void revoke(key)} />
      )}
    </>
  );
}
