import { EmailRequestForm } from './email-request-form.tsx';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { hearth } from '../../hearth.ts';

/**
 * Asks for a password-reset mail (POST /api/auth/password/forgot). The page
 * says the same thing for every address, as the server does.
 */
export function ForgotPasswordPage() {
  return (
    <PublicLayout title="Forgot your password?">
      <EmailRequestForm
        send={(email) => hearth.auth.requestPasswordReset(email)}
        submitLabel="Send reset link"
        autoFocus
        intro={
          <p>Enter the email address of your account, and we will send you a link to set a new password.</p>
        }
      />
    </PublicLayout>
  );
}
