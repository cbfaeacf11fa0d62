import { z } from 'zod';
import { HearthError } from '../errors/index.js';
import { json, noContent, route, type Route } from '../http/route.js';
import { validateBody } from '../http/validate-input.js';
import { clientInfo } from './client-info.js';
import type { Auth } from './create-auth.js';
import { requireRecentAuth } from './recent-auth.js';
import { deleteUser } from './user-deletion.js';
import {
  anonymousBody,
  changePasswordBody,
  codeBody,
  currentFactorBody,
  emailLinkRequestBody,
  loginBody,
  mfaVerifyBody,
  patchMeBody,
  reauthenticateBody,
  refreshBody,
  resendSignedInBody,
  resetBody,
  signupBody,
  tokenBody,
  uuidParam,
} from './request-schemas.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const tag = 'Auth';
const signedIn = { description: 'The user and a session (or an MFA ticket).', schema: ref('SignInResult') };
const done = { description: 'Done.' };
const accepted = { description: 'Accepted; the mail is on its way if it applies.', schema: ref('Message') };
const userBody = { description: 'The user.', schema: ref('UserResult') };
const limited = ['http/rate-limited'] as const;

/** /api/auth/* (DESIGN.md §4) and the JWKS. Thin: parse, call a service, answer. */
export function authRoutes(auth: Auth): Route[] {
  const { accounts, emailFlows, mfa, sessions } = auth;
  return [
    route({
      method: 'GET',
      path: '/.well-known/jwks.json',
      operationId: 'getJwks',
      summary: 'The public keys that verify access tokens (RFC 7517).',
      tag,
      caller: 'public',
      responses: { 200: { description: 'The key set.', schema: ref('Jwks') } },
      handle: () => json(auth.keys.jwks(), 200, { 'Cache-Control': 'public, max-age=300' }),
    }),
    route({
      method: 'POST',
      path: '/api/auth/signup',
      operationId: 'signUp',
      summary: 'Sign up with email and password.',
      tag,
      caller: 'anyone',
      body: signupBody,
      responses: {
        201: { ...signedIn, description: 'The user; a session unless email confirmation is on.' },
      },
      errors: ['auth/email-taken', 'auth/weak-password', 'auth/redirect-not-allowed', ...limited],
      handle: async (request) => json(await accounts.signup(request.body, clientInfo(request)), 201),
    }),
    route({
      method: 'POST',
      path: '/api/auth/login',
      operationId: 'logIn',
      summary: 'Sign in with a password; answers {mfa:{ticket,methods}} when a second factor is needed.',
      tag,
      caller: 'anyone',
      body: loginBody,
      responses: { 200: signedIn },
      errors: ['auth/invalid-credentials', 'auth/email-not-verified', 'auth/user-disabled', ...limited],
      handle: async (request) => json(await accounts.login(request.body, clientInfo(request))),
    }),
    route({
      method: 'POST',
      path: '/api/auth/anonymous',
      operationId: 'signInAnonymously',
      summary: 'Sign in as a new anonymous user.',
      tag,
      caller: 'anyone',
      body: anonymousBody,
      responses: { 201: signedIn },
      errors: limited,
      handle: async (request) => json(await accounts.anonymous(clientInfo(request), request.body.data), 201),
    }),
    route({
      method: 'POST',
      path: '/api/auth/refresh',
      operationId: 'refreshSession',
      summary: 'Trade a refresh token for a new session (the token rotates).',
      tag,
      caller: 'anyone',
      body: refreshBody,
      responses: { 200: { description: 'The new session.', schema: ref('SessionResult') } },
      errors: ['auth/invalid-token', 'auth/session-revoked', ...limited],
      async handle(request) {
        await auth.limits.consume('refresh:ip', request.ip);
        const { session } = await sessions.refresh(request.body.refreshToken);
        return json({ session });
      },
    }),
    route({
      method: 'POST',
      path: '/api/auth/logout',
      operationId: 'logOut',
      summary: 'End the session a refresh token belongs to.',
      tag,
      caller: 'anyone',
      body: refreshBody,
      responses: { 204: done },
      async handle({ body, principal }) {
        await sessions.logout(body.refreshToken, principal.kind === 'user' ? principal.user.id : undefined);
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/auth/logout-all',
      operationId: 'logOutEverywhere',
      summary: 'End every session of the caller.',
      tag,
      caller: 'user',
      responses: { 204: done },
      async handle({ principal }) {
        await sessions.revokeAll(auth.deps.pool, principal.user.id, 'logout-all');
        return noContent();
      },
    }),
    route({
      method: 'GET',
      path: '/api/auth/me',
      operationId: 'getMe',
      summary: 'The signed-in user.',
      tag,
      caller: 'user',
      responses: { 200: userBody },
      handle: async ({ principal }) => json({ user: await accounts.me(principal) }),
    }),
    route({
      method: 'PATCH',
      path: '/api/auth/me',
      operationId: 'updateMe',
      summary: "Change the signed-in user's own data (metadata, email).",
      tag,
      caller: 'user',
      body: patchMeBody,
      responses: { 200: userBody },
      errors: ['auth/email-taken', 'auth/recent-auth-required', 'auth/redirect-not-allowed', ...limited],
      handle: async ({ principal, body }) => json(await accounts.patchMe(principal, body)),
    }),
    route({
      method: 'DELETE',
      path: '/api/auth/me',
      operationId: 'deleteMe',
      summary: 'Delete the signed-in account (credentials presented in the last few minutes).',
      tag,
      caller: 'user',
      responses: { 204: done },
      errors: ['auth/recent-auth-required', 'auth/not-found', 'admin/last-admin'],
      async handle({ principal }) {
        await requireRecentAuth(sessions, principal);
        const id = principal.user.id;
        if (!(await deleteUser(auth.deps.pool, sessions, auth.deps.logger, id, `user:${id}`)))
          throw new HearthError('auth/not-found');
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/auth/reauthenticate',
      operationId: 'reauthenticate',
      summary: 'Present credentials again, for the routes that need a recent sign-in.',
      tag,
      caller: 'user',
      body: reauthenticateBody,
      responses: { 204: done },
      errors: ['auth/invalid-credentials', 'auth/invalid-mfa-code', ...limited],
      async handle({ principal, body }) {
        await accounts.reauthenticate(principal, body);
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/auth/password/change',
      operationId: 'changePassword',
      summary: 'Change the password; other sessions end.',
      tag,
      caller: 'user',
      body: changePasswordBody,
      responses: { 200: signedIn },
      errors: ['auth/invalid-credentials', 'auth/weak-password', 'auth/recent-auth-required', ...limited],
      handle: async (request) =>
        json(await accounts.changePassword(request.principal, request.body, clientInfo(request))),
    }),
    route({
      method: 'POST',
      path: '/api/auth/password/forgot',
      operationId: 'forgotPassword',
      summary: 'Mail a password reset link (the answer is the same whether the address is known).',
      tag,
      caller: 'anyone',
      body: emailLinkRequestBody,
      responses: { 202: accepted },
      errors: ['auth/redirect-not-allowed', ...limited],
      handle: async (request) =>
        json(
          await emailFlows.forgotPassword(request.body.email, clientInfo(request), request.body.redirectTo),
          202,
        ),
    }),
    route({
      method: 'POST',
      path: '/api/auth/password/reset',
      operationId: 'resetPassword',
      summary: 'Set a new password with a reset link token; signs in.',
      tag,
      caller: 'anyone',
      body: resetBody,
      responses: { 200: signedIn },
      errors: ['auth/link-invalid', 'auth/weak-password', ...limited],
      handle: async (request) => json(await emailFlows.resetPassword(request.body, clientInfo(request))),
    }),
    route({
      method: 'POST',
      path: '/api/auth/email/verify',
      operationId: 'verifyEmail',
      summary: 'Confirm an email address with a link token; signs in.',
      tag,
      caller: 'anyone',
      body: tokenBody,
      responses: { 200: signedIn },
      errors: ['auth/link-invalid', ...limited],
      handle: async (request) => json(await emailFlows.verifyEmail(request.body.token, clientInfo(request))),
    }),
    route({
      method: 'POST',
      path: '/api/auth/email/verify/resend',
      operationId: 'resendVerificationEmail',
      summary: 'Mail the confirmation link again: to the signed-in user, or to `email`.',
      tag,
      caller: 'anyone',
      body: resendSignedInBody,
      responses: { 202: accepted },
      errors: ['auth/redirect-not-allowed', ...limited],
      async handle(request) {
        const { principal, body } = request;
        if (principal.kind === 'user') {
          await emailFlows.sendVerification(principal.user.id, body.redirectTo);
          return json({ message: 'If your address is unconfirmed, a link is on its way.' }, 202);
        }
        const { email, redirectTo } = validateBody(emailLinkRequestBody, body);
        return json(await emailFlows.resendVerification(email, clientInfo(request), redirectTo), 202);
      },
    }),
    route({
      method: 'GET',
      path: '/api/auth/sessions',
      operationId: 'listSessions',
      summary: "The signed-in user's sessions (`current` marks this one).",
      tag,
      caller: 'user',
      responses: { 200: { description: 'The sessions.', schema: ref('SessionList') } },
      handle: async ({ principal }) =>
        json({ items: await sessions.list(principal.user.id, principal.sessionId) }),
    }),
    route({
      method: 'DELETE',
      path: '/api/auth/sessions/:id',
      operationId: 'revokeSession',
      summary: 'End one of the signed-in user’s sessions.',
      tag,
      caller: 'user',
      params: z.object({ id: uuidParam }),
      invalidParams: () => new HearthError('auth/not-found'),
      responses: { 204: done },
      errors: ['auth/not-found'],
      async handle({ principal, params }) {
        if (!(await sessions.revoke(principal.user.id, params.id))) throw new HearthError('auth/not-found');
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/auth/mfa/totp/enroll',
      operationId: 'enrollTotp',
      summary: 'Start TOTP enrolment: a secret and an otpauth URL (replacing one needs its code).',
      tag,
      caller: 'user',
      body: currentFactorBody,
      responses: { 200: { description: 'The secret to confirm.', schema: ref('TotpEnrollment') } },
      errors: ['auth/mfa-code-required', 'auth/invalid-mfa-code', 'auth/recent-auth-required', ...limited],
      handle: async ({ principal, body }) => json(await mfa.enroll(principal, body.code)),
    }),
    route({
      method: 'POST',
      path: '/api/auth/mfa/totp/confirm',
      operationId: 'confirmTotp',
      summary: 'Confirm TOTP enrolment with a first code; answers the recovery codes.',
      tag,
      caller: 'user',
      body: codeBody,
      responses: { 200: { description: 'The recovery codes, shown once.', schema: ref('RecoveryCodes') } },
      errors: ['auth/invalid-mfa-code', ...limited],
      handle: async ({ principal, body }) => json(await mfa.confirm(principal, body.code)),
    }),
    route({
      method: 'POST',
      path: '/api/auth/mfa/totp/disable',
      operationId: 'disableTotp',
      summary: 'Turn TOTP off, with a current code.',
      tag,
      caller: 'user',
      body: codeBody,
      responses: { 200: userBody },
      errors: ['auth/invalid-mfa-code', 'auth/recent-auth-required', ...limited],
      handle: async ({ principal, body }) => json(await mfa.disable(principal, body.code)),
    }),
    route({
      method: 'POST',
      path: '/api/auth/mfa/recovery-codes',
      operationId: 'regenerateRecoveryCodes',
      summary: 'Replace the recovery codes, with a current code.',
      tag,
      caller: 'user',
      body: currentFactorBody,
      responses: {
        200: { description: 'The new recovery codes, shown once.', schema: ref('RecoveryCodes') },
      },
      errors: ['auth/mfa-code-required', 'auth/invalid-mfa-code', ...limited],
      handle: async ({ principal, body }) => json(await mfa.regenerateRecoveryCodes(principal, body.code)),
    }),
    route({
      method: 'POST',
      path: '/api/auth/mfa/verify',
      operationId: 'verifyMfa',
      summary: 'Finish a sign-in that needs a second factor: the ticket and a TOTP or recovery code.',
      tag,
      caller: 'anyone',
      body: mfaVerifyBody,
      responses: { 200: signedIn },
      errors: ['auth/invalid-mfa-code', 'auth/invalid-token', ...limited],
      handle: async (request) => json(await mfa.verify(request.body, clientInfo(request))),
    }),
  ];
}
