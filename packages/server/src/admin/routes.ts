import { z } from 'zod';
import { HearthError } from '../errors/index.js';
import { invalidInput, queryParam } from '../http/validate-input.js';
import { clientInfo } from '../auth/client-info.js';
import { json, noContent, route, type Route } from '../http/route.js';
import type { Auth } from '../auth/create-auth.js';
import type { Admin } from './create-admin.js';
import { type ServicePrincipal, type UserPrincipal } from '../auth/principal.js';
import { deleteUser } from '../auth/user-deletion.js';
import { listOutbox, outboxStatuses, retryOutboxMail, type OutboxReader } from '../mail/outbox.js';
import { SERVICE_KEY_SCOPES } from './service-keys.js';
import { setupFirstAdmin } from './setup.js';
import { isSetupComplete } from './setup-token.js';

const setupBody = z.strictObject({
  token: z.string().min(1).max(512),
  email: z.email().max(254),
  password: z.string().min(1).max(4096),
});
const keyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(SERVICE_KEY_SCOPES))
    .max(SERVICE_KEY_SCOPES.length * 2)
    .optional(),
});
const listQuery = z.object({
  search: queryParam.pipe(z.string().max(254)).optional().describe('Part of an email address.'),
  limit: queryParam
    .transform(Number)
    .pipe(z.number().int().min(1).max(500))
    .default(50)
    .describe('1 to 500, default 50.'),
  cursor: queryParam.pipe(z.string().max(1000)).optional().describe('The `nextCursor` of the previous page.'),
  to: queryParam.pipe(z.string().max(254)).optional().describe('Mail to this address only.'),
});
const outboxQuery = listQuery.extend({ status: queryParam.pipe(z.enum(outboxStatuses)).optional() });
const idParams = z.object({ id: z.uuid() });
const createUserBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(4096).optional(),
  role: z.enum(['user', 'admin']).optional(),
  emailVerified: z.boolean().optional(),
});
const updateUserBody = z.strictObject({
  disabled: z.boolean().optional(),
  emailVerified: z.boolean().optional(),
  role: z.enum(['user', 'admin']).optional(),
});

/** Admin users read mail bodies; a service key only when it was granted mail:read. */
function outboxReader(principal: UserPrincipal | ServicePrincipal): OutboxReader {
  return { readsBodies: principal.kind === 'user' || principal.scopes.includes('mail:read') };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const tag = 'Admin';
const noSuch = (what: string) => () => new HearthError('admin/not-found', `No such ${what}.`);
const userParams = { params: idParams, invalidParams: noSuch('user') } as const;
const userResult = { description: 'The user.', schema: ref('UserResult') };

/** /api/admin: first-admin setup, service keys, users, the mail outbox, signing-key rotation. */
export function adminRoutes(auth: Auth, admin: Admin): Route[] {
  const { pool } = auth.deps;
  return [
    route({
      method: 'GET',
      path: '/api/admin/setup',
      operationId: 'getSetupState',
      summary: 'Whether the first admin exists (public: the setup page asks before it shows a form).',
      tag,
      caller: 'anyone',
      responses: { 200: { description: 'Whether setup is complete.', schema: ref('SetupState') } },
      handle: async () => json({ complete: await isSetupComplete(pool) }),
    }),
    route({
      method: 'POST',
      path: '/api/admin/setup',
      operationId: 'createFirstAdmin',
      summary: 'Create the first admin with the one-time setup token; signs in.',
      tag,
      caller: 'anyone',
      body: setupBody,
      responses: { 201: { description: 'The admin and a session.', schema: ref('SignInResult') } },
      errors: [
        'admin/invalid-setup-token',
        'admin/setup-complete',
        'auth/weak-password',
        'http/rate-limited',
      ],
      async handle(request) {
        await auth.limits.consume('link:ip', request.ip);
        return json(await setupFirstAdmin(pool, auth.sessions, request.body, clientInfo(request)), 201);
      },
    }),
    route({
      method: 'POST',
      path: '/api/admin/keys',
      operationId: 'createServiceKey',
      summary: 'Create a service key; its secret is shown once.',
      tag,
      caller: 'admin',
      body: keyBody,
      responses: { 201: { description: 'The key and its secret.', schema: ref('CreatedServiceKey') } },
      async handle({ principal, body }) {
        const owner = principal.kind === 'user' ? principal.user.id : undefined;
        return json(await admin.serviceKeys.create(body.name, owner, body.scopes), 201);
      },
    }),
    route({
      method: 'GET',
      path: '/api/admin/keys',
      operationId: 'listServiceKeys',
      summary: 'The service keys (never their secrets).',
      tag,
      caller: 'admin',
      responses: { 200: { description: 'The keys.', schema: ref('ServiceKeyList') } },
      handle: async () => json({ items: await admin.serviceKeys.list() }),
    }),
    route({
      method: 'DELETE',
      path: '/api/admin/keys/:id',
      operationId: 'revokeServiceKey',
      summary: 'Revoke a service key.',
      tag,
      caller: 'admin',
      params: idParams,
      invalidParams: noSuch('service key'),
      responses: { 204: { description: 'Revoked.' } },
      errors: ['admin/not-found'],
      async handle({ params }) {
        await admin.serviceKeys.revoke(params.id);
        return noContent();
      },
    }),
    route({
      method: 'GET',
      path: '/api/admin/users',
      operationId: 'listUsers',
      summary: 'Users, newest first, optionally those whose email contains `search`.',
      tag,
      caller: 'admin',
      query: listQuery,
      responses: { 200: { description: 'A page of users.', schema: ref('UserPage') } },
      errors: ['query/invalid'],
      handle: async ({ query }) => json(await admin.usersAdmin.list(query)),
    }),
    route({
      method: 'POST',
      path: '/api/admin/users',
      operationId: 'createUser',
      summary: 'Create a user (without a password, they set one through a reset link).',
      tag,
      caller: 'admin',
      body: createUserBody,
      responses: { 201: userResult },
      errors: ['auth/email-taken', 'auth/weak-password'],
      handle: async ({ body }) => json({ user: await admin.usersAdmin.create(body) }, 201),
    }),
    route({
      method: 'GET',
      path: '/api/admin/users/:id',
      operationId: 'getUser',
      summary: 'One user.',
      tag,
      caller: 'admin',
      ...userParams,
      responses: { 200: userResult },
      errors: ['admin/not-found'],
      handle: async ({ params }) => json({ user: await admin.usersAdmin.get(params.id) }),
    }),
    route({
      method: 'PATCH',
      path: '/api/admin/users/:id',
      operationId: 'updateUser',
      summary: 'Disable, verify or change the role of a user.',
      tag,
      caller: 'admin',
      ...userParams,
      body: updateUserBody,
      responses: { 200: userResult },
      errors: ['admin/not-found', 'admin/last-admin'],
      handle: async ({ params, body }) => json({ user: await admin.usersAdmin.update(params.id, body) }),
    }),
    route({
      method: 'DELETE',
      path: '/api/admin/users/:id',
      operationId: 'deleteUser',
      summary: 'Delete a user, their sessions and what their relations say to delete.',
      tag,
      caller: 'admin',
      ...userParams,
      responses: { 204: { description: 'Deleted.' } },
      errors: ['admin/not-found', 'admin/last-admin', 'records/referenced', 'records/cascade-too-deep'],
      async handle({ principal, params }) {
        const actor = principal.kind === 'user' ? `user:${principal.user.id}` : `key:${principal.keyId}`;
        const deleted = await deleteUser(pool, auth.sessions, auth.deps.logger, params.id, actor);
        if (!deleted) throw new HearthError('admin/not-found', 'No such user.');
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/admin/users/:id/revoke-sessions',
      operationId: 'revokeUserSessions',
      summary: 'End every session of a user.',
      tag,
      caller: 'admin',
      ...userParams,
      responses: { 200: { description: 'How many sessions ended.', schema: ref('RevokedSessions') } },
      errors: ['admin/not-found'],
      handle: async ({ params }) => json(await admin.usersAdmin.revokeSessions(params.id)),
    }),
    route({
      method: 'POST',
      path: '/api/admin/users/:id/unlock',
      operationId: 'unlockUser',
      summary: 'Lift the sign-in lockout of an account.',
      tag,
      caller: 'admin',
      ...userParams,
      responses: { 200: userResult },
      errors: ['admin/not-found'],
      handle: async ({ params }) => json({ user: await admin.usersAdmin.unlock(params.id) }),
    }),
    route({
      method: 'GET',
      path: '/api/admin/outbox',
      operationId: 'listOutbox',
      summary: 'Mail sent and queued, newest first (bodies only for admins and keys with mail:read).',
      tag,
      caller: 'admin',
      query: outboxQuery,
      responses: { 200: { description: 'A page of mail.', schema: ref('OutboxPage') } },
      errors: ['query/invalid'],
      handle: async ({ principal, query }) => json(await listOutbox(pool, outboxReader(principal), query)),
    }),
    route({
      method: 'POST',
      path: '/api/admin/outbox/:id/retry',
      operationId: 'retryOutboxMail',
      summary: 'Send a failed mail again.',
      tag,
      caller: 'admin',
      params: idParams,
      invalidParams: invalidInput,
      responses: { 200: { description: 'The mail, queued again.', schema: ref('OutboxMailResult') } },
      errors: ['admin/not-found', 'admin/mail-not-failed'],
      async handle({ principal, params }) {
        const mail = await retryOutboxMail(pool, outboxReader(principal), params.id);
        // Other nodes pick it up at their next poll; this one sends it now.
        auth.mailer.wake();
        return json({ mail });
      },
    }),
    route({
      method: 'POST',
      path: '/api/admin/signing-keys/rotate',
      operationId: 'rotateSigningKey',
      summary: 'Start signing access tokens with a new key; the old one verifies until they expire.',
      tag,
      caller: 'admin',
      responses: { 200: { description: 'The new key id.', schema: ref('RotatedKey') } },
      handle: async () => json({ kid: await auth.keys.rotate() }),
    }),
  ];
}
