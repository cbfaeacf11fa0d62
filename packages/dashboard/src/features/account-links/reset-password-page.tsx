import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { isHearthError } from '@hearth/client';
import { FormAlert } from '../../shared/form-alert.tsx';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { SubmitButton } from '../../shared/submit-button.tsx';
import { useFormState } from '../../shared/use-form-state.ts';
import { useLinkToken } from '../../shared/use-link-token.ts';
import { formProblem } from '../../shared/form-problem.ts';
import { confirmsNewPassword, NewPasswordFields, useNewPassword } from '../../shared/new-password-fields.tsx';
import { hearth } from '../../hearth.ts';

const invalidLink = 'This reset link is invalid, expired or already used.';
const resetOptions = {
  fields: { 'auth/weak-password': 'password' },
  messages: { 'auth/link-invalid': invalidLink },
};

/** Opened from the "reset your password" mail: sets a new password with the link's token. */
export function ResetPasswordPage() {
  const token = useLinkToken();
  const newPassword = useNewPassword();
  const form = useFormState();
  const { formError, pending, formRef, alertRef } = form;
  const [linkDead, setLinkDead] = useState(token === undefined);
  const [done, setDone] = useState(false);

  if (done) {
    return (
      <PublicLayout title="Password changed">
        <FormAlert tone="success">
          Your password has been changed, and every session of your account has ended. Sign in again with the
          new password.
        </FormAlert>
      </PublicLayout>
    );
  }

  if (token === undefined || linkDead) {
    return (
      <PublicLayout title="Reset your password">
        <FormAlert ref={alertRef}>{invalidLink}</FormAlert>
        <p className="aside">
          <Link href="/auth/forgot-password">Ask for a new reset link</Link>
        </p>
      </PublicLayout>
    );
  }
  const resetToken = token;

  function submit(event: FormEvent<HTMLFormElement>): void {
    if (!confirmsNewPassword(event, form, newPassword)) return;
    void form.submit(
      event,
      async () => {
        await hearth.auth.resetPassword({ token: resetToken, password: newPassword.password });
        setDone(true);
      },
      (error) => {
        // A weak password is refused before the token is spent, so the form stays; a dead link does not.
        if (!(isHearthError(error) && error.code === 'auth/link-invalid'))
          return formProblem(error, resetOptions);
        setLinkDead(true);
        return undefined;
      },
    );
  }

  return (
    <PublicLayout title="Reset your password">
      <form ref={formRef} onSubmit={submit}>
        {formError === undefined ? null : <FormAlert ref={alertRef}>{formError}</FormAlert>}
        <NewPasswordFields
          value={newPassword}
          form={form}
          labels={{ password: 'New password', confirmation: 'Confirm new password' }}
          autoFocus
        />
        <SubmitButton pending={pending} pendingLabel="Saving…">
          Set new password
        </SubmitButton>
      </form>
    </PublicLayout>
  );
}
