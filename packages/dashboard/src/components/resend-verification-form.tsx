import { useState, type FormEvent } from 'react';
import { Field } from './field.tsx';
import { FormAlert } from './form-alert.tsx';
import { SubmitButton } from './submit-button.tsx';
import { useFocusProblem } from '../hooks/use-focus-problem.ts';
import { formProblem, type FormProblem } from '../lib/form-problem.ts';
import { hearth } from '../hearth.ts';
import { sameAnswerForEveryAddress } from '../lib/mail-answers.ts';

/** Asks for a fresh confirmation link (POST /api/auth/email/verify/resend). */
export function ResendVerificationForm() {
  const [email, setEmail] = useState('');
  const [pending, setPending] = useState(false);
  const [sent, setSent] = useState(false);
  const [problem, setProblem] = useState<FormProblem>();
  const { formRef, alertRef } = useFocusProblem(problem);

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setPending(true);
    setProblem(undefined);
    try {
      await hearth.auth.resendVerification(email);
      setSent(true);
    } catch (error) {
      setProblem(formProblem(error, { fields: { 'validation/failed': 'email' } }));
    } finally {
      setPending(false);
    }
  }

  if (sent) return <FormAlert tone="success">{sameAnswerForEveryAddress}</FormAlert>;
  return (
    <form ref={formRef} onSubmit={(event) => void submit(event)} aria-labelledby="resend-title">
      <h2 id="resend-title">Get a new link</h2>
      {problem !== undefined && problem.field === undefined ? (
        <FormAlert ref={alertRef}>{problem.message}</FormAlert>
      ) : null}
      <Field
        name="email"
        label="Email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={setEmail}
        error={problem?.field === 'email' ? problem.message : undefined}
        required
      />
      <SubmitButton pending={pending} pendingLabel="Sending…">
        Send a new link
      </SubmitButton>
    </form>
  );
}
