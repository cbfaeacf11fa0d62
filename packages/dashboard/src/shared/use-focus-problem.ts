import { useEffect, useRef, type RefObject } from 'react';
import type { FormProblem } from './form-problem.ts';

/**
 * After a failed submit, moves focus to the input the problem is about, or
 * to the form's alert when it is about the whole form.
 */
export function useFocusProblem(problem: FormProblem | undefined): {
  formRef: RefObject<HTMLFormElement | null>;
  alertRef: RefObject<HTMLDivElement | null>;
} {
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem === undefined) return;
    const input = problem.field === undefined ? null : formRef.current?.elements.namedItem(problem.field);
    if (input instanceof HTMLElement) input.focus();
    else alertRef.current?.focus();
  }, [problem]);
  return { formRef, alertRef };
}
