import { dictionary } from '@zxcvbn-ts/language-common';
import { HearthError } from '../errors/index.js';

export const PASSWORD_MIN_LENGTH = 8;
/** Long passphrases are welcome; the cap only bounds hashing work. Nothing is truncated. */
export const PASSWORD_MAX_LENGTH = 1024;

let common: Set<string> | undefined;

/** ~49,000 passwords from leaked-password corpora (zxcvbn-ts's common list). */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));
  return common;
}

export type PasswordProblem = 'too-short' | 'too-long' | 'common';

export function passwordProblem(password: string): PasswordProblem | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too-short';
  if (length > PASSWORD_MAX_LENGTH) return 'too-long';
  if (commonPasswords().has(password.toLowerCase())) return 'common';
  return undefined;
}

const explanations: Record<PasswordProblem, string> = {
  'too-short': `The password must have at least ${PASSWORD_MIN_LENGTH} characters.`,
  'too-long': `The password must have at most ${PASSWORD_MAX_LENGTH} characters.`,
  common: 'This password is on a list of commonly used passwords; choose another.',
};

export function assertPasswordPolicy(password: string): void {
  const problem = passwordProblem(password);
  if (problem)
    throw new HearthError('auth/weak-password', explanations[problem], { details: { reason: problem } });
}
