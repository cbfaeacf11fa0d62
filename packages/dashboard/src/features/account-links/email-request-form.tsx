import { useState, type ReactNode } from 'react';
import { EmailField } from '../../shared/email-field.tsx';
import { FormAlert } from '../../shared/form-alert.tsx';
import { SubmitButton } from '../../shared/submit-button.tsx';
import { useFormState } from '../../shared/use-form-state.ts';
import { formProblem } from '../../shared/form-problem.ts';
import { sameAnswerForEveryAddress } from './mail-answers.ts';

/**
 * An email-only form that asks the server to send a mail (a reset link, a new
 * confirmation link). Once sent it says the same thing for every address, as
 * the server does, so the page reveals nothing about which accounts exist.
 */
export function EmailRequestForm(props: {
  send(email: string): Promise<unknown>;
  submitLabel: string;
  intro?: ReactNode;
  autoFocus?: boolean;
  labelledBy?: string;
}) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const form = useFormState();

  if (sent) return <FormAlert tone="success">{sameAnswerForEveryAddress}</FormAlert>;
  return (
    <form
      ref={form.formRef}
      aria-labelledby={props.labelledBy}
      onSubmit={(event) =>
        void form.submit(
          event,
          async () => {
            await props.send(email);
            setSent(true);
          },
          (error) => formProblem(error, { fields: { 'validation/failed': 'email' } }),
        )
      }
    >
      {props.intro}
      {form.formError === undefined ? null : <FormAlert ref={form.alertRef}>{form.formError}</FormAlert>}
      <EmailField
        value={email}
        onChange={setEmail}
        error={form.fieldError('email')}
        autoComplete="email"
        autoFocus={props.autoFocus ?? false}
      />
      <SubmitButton pending={form.pending} pendingLabel="Sending…">
        {props.submitLabel}
      </SubmitButton>
    </form>
  );
}
