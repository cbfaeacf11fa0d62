import { useEffect, useState, type ReactNode } from 'react';
import { FormAlert } from '../../shared/form-alert.tsx';
import { PublicLayout } from '../../shared/public-layout.tsx';
import { useLinkToken } from '../../shared/use-link-token.ts';
import { formProblem } from '../../shared/form-problem.ts';
import { runOnce } from './run-once.ts';
import { hearth } from '../../hearth.ts';

type Outcome = { state: 'pending' } | { state: 'done' } | { state: 'failed'; message: string };

interface EmailLinkConfirmationProps {
  title: string;
  pendingText: string;
  doneText: ReactNode;
  /** Says what to do when the link is invalid, expired or used. */
  invalidLinkText: string;
  /** Shown under a failure, e.g. a way to get a new link. */
  afterFailure?: ReactNode;
}

/**
 * A page a mail link opens to confirm an address: it spends the link's token
 * once (POST /api/auth/email/verify) and says how that went.
 */
export function EmailLinkConfirmation(props: EmailLinkConfirmationProps) {
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<Outcome>(
    token === undefined ? { state: 'failed', message: props.invalidLinkText } : { state: 'pending' },
  );
  const { invalidLinkText } = props;

  useEffect(() => {
    if (token === undefined) return;
    let active = true;
    runOnce(`verify-email:${token}`, () => hearth.auth.verifyEmail(token)).then(
      () => active && setOutcome({ state: 'done' }),
      (error: unknown) => {
        const problem = formProblem(error, { messages: { 'auth/link-invalid': invalidLinkText } });
        if (active) setOutcome({ state: 'failed', message: problem.message });
      },
    );
    return () => {
      active = false;
    };
  }, [token, invalidLinkText]);

  return (
    <PublicLayout title={props.title}>
      {outcome.state === 'pending' ? (
        <p role="status" className="loading">
          {props.pendingText}
        </p>
      ) : outcome.state === 'done' ? (
        <FormAlert tone="success">{props.doneText}</FormAlert>
      ) : (
        <>
          <FormAlert>{outcome.message}</FormAlert>
          {props.afterFailure}
        </>
      )}
    </PublicLayout>
  );
}
