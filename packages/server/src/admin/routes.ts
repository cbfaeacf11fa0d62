import { Router } from 'express';
import { z } from 'zod';
import { HearthError } from '../errors/index.js';
import { clientInfo } from '../auth/client-info.js';
import type { Auth } from '../auth/create-auth.js';
import { requireAdmin, type ServicePrincipal, type UserPrincipal } from '../auth/principal.js';
import { deleteUser } from '../auth/user-deletion.js';
import { validateBody } from '../auth/validate-body.js';
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
  search: z.string().max(254).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(1000).optional(),
  to: z.string().max(254).optional(),
});
const outboxQuery = listQuery.extend({ status: z.enum(outboxStatuses).optional() });
const outboxItemParams = z.object({ id: z.uuid() });
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

function idParam(value: unknown, what: string): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) throw new HearthError('admin/not-found', `No such ${what}.`);
  return parsed.data;
}

/** /api/admin: first-admin setup, service keys, users, the mail outbox, signing-key rotation. */
export function adminRoutes(auth: Auth): Router {
  const router = Router();
  const { pool } = auth.deps;

  // Public, like the setup itself: the setup page asks before it shows a form for a spent link.
  router.get('/api/admin/setup', async (_req, res) => {
    res.json({ complete: await isSetupComplete(pool) });
  });

  router.post('/api/admin/setup', async (req, res) => {
    const body = validateBody(setupBody, req.body);
    await auth.limits.consume('link:ip', clientInfo(req).ip);
    res.status(201).json(await setupFirstAdmin(pool, auth.sessions, body, clientInfo(req)));
  });

  router.post('/api/admin/keys', async (req, res) => {
    const principal = requireAdmin(req.principal);
    const { name, scopes } = validateBody(keyBody, req.body);
    const created = await auth.serviceKeys.create(
      name,
      principal.kind === 'user' ? principal.user.id : undefined,
      scopes,
    );
    res.status(201).json(created);
  });

  router.get('/api/admin/keys', async (req, res) => {
    requireAdmin(req.principal);
    res.json({ items: await auth.serviceKeys.list() });
  });

  router.delete('/api/admin/keys/:id', async (req, res) => {
    requireAdmin(req.principal);
    await auth.serviceKeys.revoke(idParam(req.params.id, 'service key'));
    res.status(204).end();
  });

  router.get('/api/admin/users', async (req, res) => {
    requireAdmin(req.principal);
    const query = validateBody(listQuery, req.query);
    res.json(await auth.usersAdmin.list(query));
  });

  router.post('/api/admin/users', async (req, res) => {
    requireAdmin(req.principal);
    res.status(201).json({ user: await auth.usersAdmin.create(validateBody(createUserBody, req.body)) });
  });

  router.get('/api/admin/users/:id', async (req, res) => {
    requireAdmin(req.principal);
    res.json({ user: await auth.usersAdmin.get(idParam(req.params.id, 'user')) });
  });

  router.patch('/api/admin/users/:id', async (req, res) => {
    requireAdmin(req.principal);
    const id = idParam(req.params.id, 'user');
    res.json({ user: await auth.usersAdmin.update(id, validateBody(updateUserBody, req.body)) });
  });

  router.delete('/api/admin/users/:id', async (req, res) => {
    const principal = requireAdmin(req.principal);
    const id = idParam(req.params.id, 'user');
    const actor = principal.kind === 'user' ? `user:${principal.user.id}` : `key:${principal.keyId}`;
    const deleted = await deleteUser(pool, auth.sessions, auth.deps.logger, id, actor);
    if (!deleted) throw new HearthError('admin/not-found', 'No such user.');
    res.status(204).end();
  });

  router.post('/api/admin/users/:id/revoke-sessions', async (req, res) => {
    requireAdmin(req.principal);
    res.json(await auth.usersAdmin.revokeSessions(idParam(req.params.id, 'user')));
  });

  router.post('/api/admin/users/:id/unlock', async (req, res) => {
    requireAdmin(req.principal);
    res.json({ user: await auth.usersAdmin.unlock(idParam(req.params.id, 'user')) });
  });

  router.get('/api/admin/outbox', async (req, res) => {
    const reader = outboxReader(requireAdmin(req.principal));
    const query = validateBody(outboxQuery, req.query);
    res.json(await listOutbox(pool, reader, query));
  });

  router.post('/api/admin/outbox/:id/retry', async (req, res) => {
    const reader = outboxReader(requireAdmin(req.principal));
    const { id } = validateBody(outboxItemParams, req.params);
    const mail = await retryOutboxMail(pool, reader, id);
    // Other nodes pick it up at their next poll; this one sends it now.
    auth.mailer.wake();
    res.json({ mail });
  });

  router.post('/api/admin/signing-keys/rotate', async (req, res) => {
    requireAdmin(req.principal);
    res.json({ kid: await auth.keys.rotate() });
  });

  return router;
}
