import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { HearthError, isHearthError } from '../../errors/index.js';
import { clientInfo } from '../client-info.js';
import type { Auth } from '../create-auth.js';
import { requireUser } from '../principal.js';
import { requireRecentAuth } from '../recent-auth.js';
import { redirectToField } from '../redirect-allowlist.js';
import { validateBody } from '../validate-body.js';

const startQuery = z.object({ redirectTo: redirectToField.optional() });
const linkBody = z.strictObject({ redirectTo: redirectToField.optional() });
const exchangeBody = z.strictObject({ code: z.string().min(1).max(512) });
const providerName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/);

function withParams(base: string, params: Record<string, string>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.href;
}

/**
 * The authorization-response fields, and nothing else: Apple's form post also
 * carries `user` (the name, unsigned and attacker-controlled), which Hearth
 * ignores. A field sent twice or as anything but a string counts as absent.
 */
const CALLBACK_FIELDS = ['code', 'state', 'error', 'error_description', 'iss'] as const;

function callbackParams(source: unknown): URLSearchParams {
  const params = new URLSearchParams();
  if (source === null || typeof source !== 'object') return params;
  for (const field of CALLBACK_FIELDS) {
    const value: unknown = Object.hasOwn(source, field)
      ? (source as Record<string, unknown>)[field]
      : undefined;
    if (typeof value === 'string') params.set(field, value);
  }
  return params;
}

function providerParam(req: Request): string {
  const parsed = providerName.safeParse(req.params.provider);
  if (!parsed.success) throw new HearthError('auth/unknown-provider');
  return parsed.data;
}

/**
 * OAuth/OIDC routes. The browser goes to /start, the provider returns it to
 * /callback, which redirects to the app's redirectTo with a one-time `code`
 * (or `error` and `error_description`); the app trades the code at
 * POST /api/auth/oauth/exchange. Without redirectTo the callback answers the
 * sign-in as JSON.
 */
export function oauthRoutes(auth: Auth): Router {
  const router = Router();
  const { oauth } = auth;

  router.get('/api/auth/providers', (_req, res) => {
    res.json({ items: oauth.list() });
  });

  router.get('/api/auth/oauth/:provider/start', async (req, res) => {
    const { redirectTo } = validateBody(startQuery, req.query);
    res.redirect(302, await oauth.start(providerParam(req), { redirectTo }));
  });

  const callback = async (req: Request, res: Response) => {
    const provider = providerParam(req);
    const params = callbackParams(req.method === 'POST' ? req.body : req.query);
    const redirectTo = await oauth.pendingRedirect(params.get('state') ?? undefined);
    try {
      const outcome = await oauth.callback(provider, params);
      if (outcome.kind === 'linked') {
        if (outcome.redirectTo)
          return res.redirect(302, withParams(outcome.redirectTo, { linked: provider }));
        return res.json({ linked: provider });
      }
      if (outcome.redirectTo)
        return res.redirect(302, withParams(outcome.redirectTo, { code: outcome.code }));
      return res.json(await oauth.exchangeCode(outcome.code, clientInfo(req)));
    } catch (error) {
      if (!redirectTo || !isHearthError(error)) throw error;
      return res.redirect(
        302,
        withParams(redirectTo, { error: error.code, error_description: error.message }),
      );
    }
  };
  router.get('/api/auth/oauth/:provider/callback', callback);
  router.post(
    '/api/auth/oauth/:provider/callback',
    express.urlencoded({ extended: false, limit: '64kb' }),
    callback,
  );

  router.post('/api/auth/oauth/exchange', async (req, res) => {
    const { code } = validateBody(exchangeBody, req.body);
    res.json(await oauth.exchangeCode(code, clientInfo(req)));
  });

  router.post('/api/auth/oauth/:provider/link', async (req, res) => {
    const principal = requireUser(req.principal);
    await requireRecentAuth(auth.sessions, principal);
    const { redirectTo } = validateBody(linkBody, req.body);
    res.json({ url: await oauth.start(providerParam(req), { redirectTo, linkUserId: principal.user.id }) });
  });

  router.get('/api/auth/identities', async (req, res) => {
    res.json({ items: await oauth.identities(requireUser(req.principal).user.id) });
  });

  router.delete('/api/auth/identities/:provider', async (req, res) => {
    const principal = requireUser(req.principal);
    await oauth.unlink(principal.user.id, providerParam(req));
    res.status(204).end();
  });

  return router;
}
