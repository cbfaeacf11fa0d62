import { Fragment, useState } from 'react';
import { Link, Redirect } from 'wouter';
import { isHearthError, type User } from '@hearth/client';
import { EmailField } from '../../shared/email-field.tsx';
import { Field } from '../../shared/field.tsx';
import { FormAlert } from '../../shared/form-alert.tsx';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { SubmitButton } from '../../shared/submit-button.tsx';
import { useFormState } from '../../shared/use-form-state.ts';
import { displayName } from './admin-access.ts';
import { formProblem, type FormProblem } from '../../shared/form-problem.ts';
import { hearth } from '../../hearth.ts';
import { useAuthView } from './session.ts';

const mfaOptions = {
  fields: { 'auth/invalid-mfa-code': 'code' },
};

/** Admin sign-in: email and password, then a TOTP or recovery code when the account has MFA. */
export function LoginPage() {
  const view = useAuthView();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [ticket, setTicket] = useState<string>();
  const form = useFormState();

  // Once an admin is signed in (here, or already), the dashboard opens.
  if (view.status === 'signed-in' && view.isAdmin) return <Redirect to="/" replace />;

  async function admitAdminsOnly(user: User): Promise<void> {
    if (user.role === 'admin') return;
    await hearth.auth.signOut();
    form.setProblem({
      message: `${displayName(user)} is not an admin account. The dashboard is for admins only.`,
    });
  }

  async function signInOrVerify(): Promise<void> {
    if (ticket === undefined) {
      const result = await hearth.auth.signIn({ email, password });
      if (result.mfa) {
        setTicket(result.mfa.ticket);
        setPassword('');
      } else {
        await admitAdminsOnly(result.user);
      }
    } else {
      const result = await hearth.auth.verifyMfa({ ticket, code: code.trim() });
      await admitAdminsOnly(result.user);
    }
  }

  function problemOf(error: unknown): FormProblem {
    if (ticket !== undefined && isDeadTicket(error)) {
      setTicket(undefined);
      setCode('');
      return { message: 'The sign-in expired or had too many wrong codes. Sign in again.' };
    }
    return formProblem(error, ticket === undefined ? {} : mfaOptions);
  }

  const { fieldError, formError, pending, formRef, alertRef } = form;

  return (
    <PublicLayout title={ticket === undefined ? 'Sign in' : 'Two-factor code'}>
      <form ref={formRef} onSubmit={(event) => void form.submit(event, signInOrVerify, problemOf)}>
        {formError === undefined ? null : <FormAlert ref={alertRef}>{formError}</FormAlert>}
        {/* Keys make the code step mount fresh inputs (so autoFocus moves to the code input). */}
        {ticket === undefined ? (
          <Fragment key="credentials">
            <EmailField value={email} onChange={setEmail} autoFocus />
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
              required
            />
            <SubmitButton pending={pending} pendingLabel="Signing in…">
              Sign in
            </SubmitButton>
          </Fragment>
        ) : (
          <Fragment key="code">
            <p>Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
            <Field
              name="code"
              label="Code"
              autoComplete="one-time-code"
              value={code}
              onChange={setCode}
              error={fieldError('code')}
              required
              autoFocus
            />
            <SubmitButton pending={pending} pendingLabel="Checking…">
              Verify
            </SubmitButton>
          </Fragment>
        )}
      </form>
      <p className="aside">
        <Link href="/auth/forgot-password">Forgot your password?</Link>
      </p>
    </PublicLayout>
  );
}

/** A ticket that is expired, used or burnt by wrong codes: the server calls it an invalid token. */
function isDeadTicket(error: unknown): boolean {
  return isHearthError(error) && error.code === 'auth/invalid-token';
}
