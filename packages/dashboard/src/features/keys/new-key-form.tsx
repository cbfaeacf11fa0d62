import { useState, type FormEvent } from 'react';
import { Field } from '../../shared/field.tsx';
import { FormAlert } from '../../shared/form-alert.tsx';
import { SubmitButton } from '../../shared/submit-button.tsx';
import { useFormState } from '../../shared/use-form-state.ts';
import { formProblem } from '../../shared/form-problem.ts';
import { hearth } from '../../hearth.ts';
import type { CreatedServiceKey } from '@hearth/client';

/** Names and creates a key; the page shows the answer, which is the only time the key is seen. */
export function NewKeyForm({ onCreated }: { onCreated(key: CreatedServiceKey): void }) {
  const [name, setName] = useState('');
  const form = useFormState();
  const { fieldError, formError, pending, formRef, alertRef } = form;

  function submit(event: FormEvent<HTMLFormElement>): void {
    void form.submit(
      event,
      async () => {
        onCreated(await hearth.admin.keys.create({ name }));
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
