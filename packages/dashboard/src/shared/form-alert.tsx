import type { ReactNode, Ref } from 'react';

interface FormAlertProps {
  children: ReactNode;
  /** Focused when the problem is about the whole form, so keyboard and screen-reader users land on it. */
  ref?: Ref<HTMLDivElement>;
  tone?: 'error' | 'success';
}

/** A message about the whole form, announced when it appears. */
export function FormAlert({ children, ref, tone = 'error' }: FormAlertProps) {
  return (
    <div
      ref={ref}
      className={`alert alert-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      tabIndex={-1}
    >
      {children}
    </div>
  );
}
