import type { ReactNode } from 'react';

interface SubmitButtonProps {
  pending: boolean;
  /** What the button says while the request runs, e.g. "Signing in…". */
  pendingLabel: string;
  children: ReactNode;
}

/** The form's submit button, disabled while its request runs. */
export function SubmitButton({ pending, pendingLabel, children }: SubmitButtonProps) {
  return (
    <button type="submit" className="primary" disabled={pending} aria-busy={pending || undefined}>
      {pending ? pendingLabel : children}
    </button>
  );
}
