import { hash, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id; the enum is `const`, which verbatimModuleSyntax cannot import. */
const ARGON2ID = 2;

/**
 * argon2id at OWASP's recommended floor (m = 19 MiB, t = 2, p = 1). The
 * binding hashes on libuv's thread pool, off the event loop. @node-rs/argon2
 * ships prebuilt binaries, so installs (and the Docker image) never compile.
 */
export const argon2Options = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no hash (unknown user, or an
 * account without a password) it verifies against a dummy hash with the same
 * parameters, so the answer takes as long either way.
 */
export async function verifyPassword(
  storedHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!storedHash) {
    dummyHash ??= hash('hearth-dummy-password-for-timing', argon2Options);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** True when a stored hash uses weaker parameters than today's and should be redone at next login. */
export function needsRehash(storedHash: string): boolean {
  const [, algorithm, , params] = storedHash.split('$');
  if (algorithm !== 'argon2id' || !params) return true;
  // Parameter order differs between libraries (m,t,p or m,p,t), so read them by name.
  const values = Object.fromEntries(params.split(',').map((pair) => pair.split('=')));
  return (
    Number(values.m) < argon2Options.memoryCost ||
    Number(values.t) < argon2Options.timeCost ||
    Number(values.p) < argon2Options.parallelism
  );
}
