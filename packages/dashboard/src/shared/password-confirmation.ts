/** The message for a confirmation that does not match, or undefined when it does. */
export function confirmationProblem(password: string, confirmation: string): string | undefined {
  return password === confirmation ? undefined : 'The two passwords are not the same.';
}

/** Shown under every new-password input; the server enforces it (auth/weak-password). */
export const passwordPolicyHint =
  'At least 8 characters. Long passphrases are welcome; common passwords are refused.';
