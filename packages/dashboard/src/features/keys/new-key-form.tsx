import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field.tsx';
import { FormAlert } from '../../components/form-alert.tsx';
import { SubmitButton } from '../../components/submit-button.tsx';
import { useFormState } from '../../hooks/use-form-state.ts';
import { formProblem } from '../../lib/form-problem.ts';
import { createServiceKey, type CreatedServiceKey } from './keys-api.ts';

/** Names and creates a key; the page shows the answer, which is the only time the key is seen. */
export function NewKeyForm({ onCreated }: { onCreated(key: CreatedServiceKey): void }) {
  const [name, setName] = useState('');
  const form = useFormState();
  const { fieldError, formError, pending, formRef, alertRef } = form;

  function submit(event: FormEvent<HTMLFormElement>): void {
    void form.submit(
      event,
      async () => {
        onCreated(await createServiceKey(name));
        setName('');
      },
      (error) => formProblem(error, { fields: { 'validation/failed': 'name' } }),
    );
  }

  return (
    <form ref={formRef} onSubmit={submit} className="filters" aria-label="New service key">
      {formError === undefined ? null : <FormAlert ref={alertRef}>{formError}</FormAlert>}
      <Field
        name="name"
        label="Key name"
        value={name}
        onChange={setName}
        hint="What it is for, e.g. github-actions."
        error={fieldError('name')}
        maxLength={100}
        required
      />
      <div className="filter-buttons">
        <SubmitButton pending={pending} pendingLabel="Creating…">
          Create key
        </SubmitButton>
      </div>
    </form>
  );
}
