import { useId, type ReactNode } from 'react';

interface FieldProps {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  /** Shown under the input and announced with it. */
  hint?: ReactNode;
  /** The problem with this input; marks it invalid and is read out with it. */
  error?: string | undefined;
  autoFocus?: boolean;
  required?: boolean;
  inputMode?: 'text' | 'numeric';
  pattern?: string;
  maxLength?: number;
}

/** A labelled input whose hint and error text are tied to it with aria-describedby. */
export function Field({ name, label, value, onChange, type = 'text', hint, error, ...rest }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error === undefined ? undefined : errorId, hint === undefined ? undefined : hintId]
    .filter((part) => part !== undefined)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        {...rest}
      />
      {error === undefined ? null : (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {hint === undefined ? null : (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
  );
}
