import { z } from 'zod';

const MAX_METADATA_BYTES = 16 * 1024;

/** Login accepts any string: an address that cannot exist simply fails like an unknown one. */
const anyEmail = z.string().min(1).max(254);
const email = z.email({ message: 'must be an email address' }).max(254);
const password = z.string().min(1).max(4096);
const token = z.string().min(1).max(512);

export const metadataSchema = z
  .record(z.string().max(100), z.unknown())
  .refine(
    (value) => JSON.stringify(value).length <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
  );

export const signupBody = z.strictObject({ email, password, data: metadataSchema.optional() });
export const loginBody = z.strictObject({ email: anyEmail, password });
export const refreshBody = z.strictObject({ refreshToken: token });
export const emailOnlyBody = z.strictObject({ email: anyEmail });
export const tokenBody = z.strictObject({ token });
export const resetBody = z.strictObject({ token, password });
export const anonymousBody = z.strictObject({ data: metadataSchema.optional() });
export const patchMeBody = z.strictObject({
  metadata: metadataSchema.optional(),
  email: email.optional(),
  password: password.optional(),
});
export const changePasswordBody = z.strictObject({ password, currentPassword: password.optional() });
export const reauthenticateBody = z.strictObject({
  password: password.optional(),
  code: z.string().min(1).max(64).optional(),
});
export const codeBody = z.strictObject({ code: z.string().min(1).max(64) });
export const mfaVerifyBody = z.strictObject({ ticket: token, code: z.string().min(1).max(64) });
export const uuidParam = z.uuid();
export const oauthStartQuery = z.object({ redirectTo: z.string().max(2048).optional() });
