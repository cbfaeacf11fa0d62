import { useState, type FormEvent } from 'react';
import { Field } from '../components/field.tsx';
import { FormAlert } from '../components/form-alert.tsx';
import { PublicLayout } from '../components/public-layout.tsx';
import { SubmitButton } from '../components/submit-button.tsx';
import { useFocusProblem } from '../hooks/use-focus-problem.ts';
import { formProblem, type FormProblem } from '../lib/form-problem.ts';
import { sameAnswerForEveryAddress } from '../lib/mail-answers.ts';
import { hearth } from '../hearth.ts';

/**
 * Asks for a password-reset mail (POST /api/auth/password/forgot). The page
 * says the same thing for every address, as the server does.
 */
export function ForgotPasswordPage() {
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
      await hearth.auth.requestPasswordReset(email);
      setSent(true);
    } catch (error) {
      setProblem(formProblem(error, { fields: { 'validation/failed': 'email' } }));
    } finally {
      setPending(false);
    }
  }

  return (
    <PublicLayout title="Forgot your password?">
      {sent ? (
        <FormAlert tone="success">{sameAnswerForEveryAddress}</FormAlert>
      ) : (
        <form ref={formRef} onSubmit={(event) => void submit(event)}>
          <p>Enter the email address of your account, and we will send you a link to set a new password.</p>
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
            autoFocus
          />
          <SubmitButton pending={pending} pendingLabel="Sending…">
            Send reset link
          </SubmitButton>
        </form>
      )}
    </PublicLayout>
  );
}
