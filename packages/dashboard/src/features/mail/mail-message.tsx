import type { OutboxMail } from '@hearth/client';

/**
 * The body of one mail, for reading and copying a link out of it. A mail can
 * carry text someone else chose (an address, a name, an app's template), so
 * it is only ever rendered as text: React escapes it, and an HTML version is
 * shown as its source, never parsed into the page.
 */
export function MailMessage({ mail }: { mail: OutboxMail }) {
  return (
    <section className="mail-message" aria-label={`Mail to ${mail.to}: ${mail.subject}`}>
      <p className="mail-meta">
        To <strong>{mail.to}</strong>, subject <strong>{mail.subject}</strong>.{' '}
        {mail.status === 'kept'
          ? 'Select the text to copy a link.'
          : 'Links are shown without their token: only the recipient gets it, through SMTP.'}
      </p>
      {/* Focusable, so a keyboard can scroll a long mail. */}
      <pre className="mail-text" tabIndex={0}>
        {mail.text ?? '(hidden)'}
      </pre>
      {mail.html === null ? null : (
        <details className="mail-html">
          <summary>HTML version (source, not rendered)</summary>
          <pre tabIndex={0}>{mail.html}</pre>
        </details>
      )}
    </section>
  );
}
