import { useState, type FormEvent } from 'react';
import { Field } from './field.tsx';
import { confirmationProblem, passwordPolicyHint } from './password-confirmation.ts';
import type { FormState } from './use-form-state.ts';

/** A new password and its confirmation, as typed. */
export interface NewPassword {
  password: string;
  confirmation: string;
  setPassword(value: string): void;
  setConfirmation(value: string): void;
}

export function useNewPassword(): NewPassword {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  return { password, confirmation, setPassword, setConfirmation };
}

/** Stops a submit whose two passwords differ and says so at the confirmation; true when they match. */
export function confirmsNewPassword(
  event: FormEvent<HTMLFormElement>,
  form: FormState,
  value: NewPassword,
): boolean {
  const mismatch = confirmationProblem(value.password, value.confirmation);
  if (mismatch === undefined) return true;
  event.preventDefault();
  form.setProblem({ field: 'confirmation', message: mismatch });
  return false;
}

interface NewPasswordFieldsProps {
  value: NewPassword;
  form: FormState;
  labels: { password: string; confirmation: string };
  autoFocus?: boolean;
}

const NEW_PASSWORD_INPUT = { type: 'password', autoComplete: 'new-password', required: true } as const;

/** The new password, with the policy hint, and its confirmation: the setup and reset forms. */
export function NewPasswordFields({ value, form, labels, autoFocus = false }: NewPasswordFieldsProps) {
  const inputs = [
    { name: 'password', label: labels.password, value: value.password, onChange: value.setPassword },
    {
      name: 'confirmation',
      label: labels.confirmation,
      value: value.confirmation,
      onChange: value.setConfirmation,
    },
  ];
  return (
    <>
      {inputs.map((input, index) => (
        <Field
          key={input.name}
          {...input}
          {...NEW_PASSWORD_INPUT}
          error={form.fieldError(input.name)}
          // The policy hint and the focus go to the new password, not to its confirmation.
          {...(index === 0 ? { hint: passwordPolicyHint, autoFocus } : {})}
        />
      ))}
    </>
  );
}
