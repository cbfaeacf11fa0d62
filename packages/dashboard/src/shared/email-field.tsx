import { Field } from './field.tsx';

interface EmailFieldProps {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  /** `username` where it signs in (password managers pair it with the password), `email` elsewhere. */
  autoComplete?: 'username' | 'email';
  autoFocus?: boolean;
}

/** The email input of the sign-in, setup and mail-request forms. */
export function EmailField({ autoComplete = 'username', autoFocus = false, ...rest }: EmailFieldProps) {
  return (
    <Field
      name="email"
      label="Email"
      type="email"
      autoComplete={autoComplete}
      required
      autoFocus={autoFocus}
      {...rest}
    />
  );
}
