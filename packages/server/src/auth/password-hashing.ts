import argon2 from 'argon2';

/**
 * argon2id at OWASP's recommended floor (m = 19 MiB, t = 2, p = 1). The
 * native binding hashes on libuv's thread pool, off the event loop.
 */
export const argon2Options = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, argon2Options);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user, or an
 * account without a password) it verifies against a dummy hash with the same
 * parameters, so the answer takes as long either way.
 */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= argon2.hash('hearth-dummy-password-for-timing', argon2Options);
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash uses weaker parameters than today's and should be redone at next login. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, argon2Options);
}
