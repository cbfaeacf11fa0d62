import { EmailLinkConfirmation } from './email-link-confirmation.tsx';
import { ResendVerificationForm } from './resend-verification-form.tsx';

/** Opened from the "confirm your email" mail sent at sign-up. */
export function VerifyEmailPage() {
  return (
    <EmailLinkConfirmation
      title="Confirm your email"
      pendingText="Confirming your email address…"
      doneText="Your email address is confirmed. You can close this page and sign in to the app."
      invalidLinkText="This confirmation link is invalid, expired or already used."
      afterFailure={<ResendVerificationForm />}
    />
  );
}
