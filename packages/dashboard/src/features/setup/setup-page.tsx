import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { isHearthError, type SetupResult } from '@hearth/client';
import { EmailField } from '../../shared/email-field.tsx';
import { FormAlert } from '../../shared/form-alert.tsx';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { SubmitButton } from '../../shared/submit-button.tsx';
import { useFormState } from '../../shared/use-form-state.ts';
import { useLinkToken } from '../../shared/use-link-token.ts';
import { useSetupState } from './use-setup-state.ts';
import { formProblem } from '../../shared/form-problem.ts';
import { confirmsNewPassword, NewPasswordFields, useNewPassword } from '../../shared/new-password-fields.tsx';
import { hearth } from '../../hearth.ts';

const setupOptions = {
  fields: { 'auth/weak-password': 'password', 'validation/failed': 'email' },
  messages: {
    'admin/invalid-setup-token':
      'This setup link is not valid. Open the setup link that `hearth start` printed, exactly as printed.',
    'admin/setup-complete':
      'Setup is already complete: the first admin exists, and the setup link works only once. Sign in instead.',
  },
};

/**
 * Creates the first admin with the one-time token from the link `hearth
 * start` prints (POST /api/admin/setup), then adopts the session that call
 * returns: the admin is signed in without a second login.
 */
export function SetupPage() {
  const token = useLinkToken();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState('');
  const newPassword = useNewPassword();
  const form = useFormState();
  const { fieldError, formError, pending, formRef, alertRef } = form;
  const [setupOver, setSetupOver] = useState(false);
  const setupState = useSetupState();

  if (token === undefined) {
    return (
      <PublicLayout title="Set up Hearth">
        <FormAlert>
          This page needs the one-time setup link that <code>hearth start</code> prints on its first run. Open
          that link as printed.
        </FormAlert>
        <p className="aside">
          Already set up? <Link href="/login">Sign in</Link>
        </p>
      </PublicLayout>
    );
  }
  if (setupState === 'checking') {
    return (
      <PublicLayout title="Set up Hearth">
        <p aria-live="polite">Checking the setup link…</p>
      </PublicLayout>
    );
  }
  // A spent link (the admin was created with it, or with `hearth admin create`) can only fail.
  if (setupState === 'used') {
    return (
      <PublicLayout title="Setup is complete">
        <FormAlert>
          This setup link was already used: the first admin exists, and the link works only once.
        </FormAlert>
        <p className="aside">
          <Link href="/login">Sign in</Link> as an admin instead.
        </p>
      </PublicLayout>
    );
  }
  const setupToken = token;

  async function createAdmin(): Promise<void> {
    let setup: SetupResult;
    try {
      setup = await hearth.admin.setup({ token: setupToken, email, password: newPassword.password });
    } catch (error) {
      setSetupOver(isHearthError(error) && error.code === 'admin/setup-complete');
      throw error;
    }
    setSetupOver(true);
    try {
      await hearth.auth.setSession(setup.session);
    } catch (error) {
      throw new SignInAfterSetupFailed(error);
    }
    navigate('/', { replace: true });
  }

  function submit(event: FormEvent<HTMLFormElement>): void {
    if (!confirmsNewPassword(event, form, newPassword)) return;
    void form.submit(event, createAdmin, (error) =>
      error instanceof SignInAfterSetupFailed
        ? { message: `The admin was created, but signing in failed: ${formProblem(error.cause).message}` }
        : formProblem(error, setupOptions),
    );
  }

  return (
    <PublicLayout title="Create the first admin">
      <p>
        Welcome to Hearth. This admin account manages the server: its data, schema, users and keys. The link
        that opened this page works once.
      </p>
      <form ref={formRef} onSubmit={submit}>
        {formError === undefined ? null : (
          <FormAlert ref={alertRef}>
            {formError}
            {setupOver ? (
              <>
                {' '}
                <Link href="/login">Sign in</Link>
              </>
            ) : null}
          </FormAlert>
        )}
        <EmailField value={email} onChange={setEmail} error={fieldError('email')} autoFocus />
        <NewPasswordFields
          value={newPassword}
          form={form}
          labels={{ password: 'Password', confirmation: 'Confirm password' }}
        />
        <SubmitButton pending={pending} pendingLabel="Creating the admin…">
          Create admin
        </SubmitButton>
      </form>
    </PublicLayout>
  );
}

/** The admin exists, but signing in as it failed: a different message from a refused setup. */
class SignInAfterSetupFailed extends Error {
  constructor(cause: unknown) {
    super('signing in after setup failed', { cause });
    this.name = 'SignInAfterSetupFailed';
  }
}
