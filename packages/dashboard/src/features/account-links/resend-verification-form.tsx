import { EmailRequestForm } from './email-request-form.tsx';
import { hearth } from '../../hearth.ts';

/** Asks for a fresh confirmation link (POST /api/auth/email/verify/resend). */
export function ResendVerificationForm() {
  return (
    <EmailRequestForm
      send={(email) => hearth.auth.resendVerification(email)}
      submitLabel="Send a new link"
      labelledBy="resend-title"
      intro={<h2 id="resend-title">Get a new link</h2>}
    />
  );
}
