import { useState, type FormEvent, type RefObject } from 'react';
import { formProblem, type FormProblem } from './form-problem.ts';
import { useFocusProblem } from './use-focus-problem.ts';

export interface FormState {
  pending: boolean;
  problem: FormProblem | undefined;
  setProblem(problem: FormProblem | undefined): void;
  formRef: RefObject<HTMLFormElement | null>;
  alertRef: RefObject<HTMLDivElement | null>;
  /** The problem's message when it is about the input `name`. */
  fieldError(name: string): string | undefined;
  /** The problem's message when it is about the whole form. */
  formError: string | undefined;
  /**
   * Runs one submit: stops the browser's own, marks the form pending and
   * clears the last problem; an error becomes the problem `onError` returns
   * (by default the server's message, via formProblem).
   */
  submit(
    event: FormEvent<HTMLFormElement>,
    work: () => Promise<void>,
    onError?: (error: unknown) => FormProblem | undefined,
  ): Promise<void>;
}

/** The state every dashboard form keeps: pending, the current problem, and focus on it. */
export function useFormState(): FormState {
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<FormProblem>();
  const { formRef, alertRef } = useFocusProblem(problem);
  return {
    pending,
    problem,
    setProblem,
    formRef,
    alertRef,
    fieldError: (name) => (problem?.field === name ? problem.message : undefined),
    formError: problem !== undefined && problem.field === undefined ? problem.message : undefined,
    async submit(event, work, onError = (error) => formProblem(error)) {
      event.preventDefault();
      setPending(true);
      setProblem(undefined);
      try {
        await work();
      } catch (error) {
        setProblem(onError(error));
      } finally {
        setPending(false);
      }
    },
  };
}
