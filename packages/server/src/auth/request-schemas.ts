import { z } from 'zod';
import { HearthError } from '../errors/index.js';
import { redirectToField } from './redirect-allowlist.js';

/** The cap on a user's metadata, as JSON text: on each request body and on the stored total. */
export const MAX_METADATA_BYTES = 16 * 1024;
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Login accepts any string: an address that cannot exist simply fails like an unknown one. */
const anyEmail = z.string().min(1).max(254);
const email = z.email({ message: 'must be an email address' }).max(254);
const password = z.string().min(1).max(4096);
const token = z.string().min(1).max(512);
/** Where a mailed link points instead of the dashboard page (checked against the allowlist by the service). */
const redirectTo = redirectToField.optional();

export const metadataSchema = z
  .record(z.string().max(100), z.unknown())
  .refine(
    (value) => jsonBytes(value) <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
  );

/** The stored total after a merge must fit the same cap as one body; 400 validation/failed otherwise. */
export function assertMetadataSize(metadata: Record<string, unknown>): void {
  if (jsonBytes(metadata) <= MAX_METADATA_BYTES) return;
  throw new HearthError('validation/failed', undefined, {
    details: {
      fields: [
        {
          path: 'metadata',
          message: `the merged metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
        },
      ],
    },
  });
}

export const signupBody = z.strictObject({ email, password, data: metadataSchema.optional(), redirectTo });
export const loginBody = z.strictObject({ email: anyEmail, password });
export const refreshBody = z.strictObject({ refreshToken: token });
/** Forgot password, and resend confirmation when signed out. */
export const emailLinkRequestBody = z.strictObject({ email: anyEmail, redirectTo });
/** Resend confirmation when signed in: the link goes to the user's own address. */
export const resendSignedInBody = z.strictObject({ email: anyEmail.optional(), redirectTo });
export const tokenBody = z.strictObject({ token });
export const resetBody = z.strictObject({ token, password });
export const anonymousBody = z.strictObject({ data: metadataSchema.optional() });
export const patchMeBody = z.strictObject({
  metadata: metadataSchema.optional(),
  email: email.optional(),
  password: password.optional(),
  redirectTo,
});
export const changePasswordBody = z.strictObject({ password, currentPassword: password.optional() });
export const reauthenticateBody = z.strictObject({
  password: password.optional(),
  code: z.string().min(1).max(64).optional(),
});
export const codeBody = z.strictObject({ code: z.string().min(1).max(64) });
/** Enrol and new recovery codes: `code`, a current TOTP or recovery code, once MFA is on. */
export const currentFactorBody = z.strictObject({ code: z.string().min(1).max(64).optional() });
export const mfaVerifyBody = z.strictObject({ ticket: token, code: z.string().min(1).max(64) });
export const uuidParam = z.uuid();
