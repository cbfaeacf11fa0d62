import { EmailLinkConfirmation } from './email-link-confirmation.tsx';

/** Opened from the mail sent to a new address when a user changes their email. */
export function ConfirmEmailPage() {
  return (
    <EmailLinkConfirmation
      title="Confirm your new email"
      pendingText="Confirming your new email address…"
      doneText="Your new email address is confirmed. Use it to sign in from now on."
      invalidLinkText="This link is invalid, expired or already used. Change the address again in the app to get a new one."
    />
  );
}
