import { Router } from 'express';
import { HearthError } from '../errors/index.js';
import { clientInfo } from './client-info.js';
import type { Auth } from './create-auth.js';
import { oauthRoutes } from './oauth/oauth-routes.js';
import { requireUser } from './principal.js';
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
import { validateBody } from './validate-body.js';
import type { EdgeRoute } from '../http/edge-routes.js';

/**
 * Sign-in with a password, served by the edge (src/http/edge.ts) before
 * Express: argon2 dominates a login, and the main thread's share is what
 * every other request on the node waits behind (docs/benchmarks.md).
 */
export function authEdgeRoutes(auth: Auth): EdgeRoute[] {
  return [
    {
      method: 'POST',
      template: '/api/auth/login',
      handle: async ({ body, ip, userAgent }) => ({
        body: await auth.accounts.login(validateBody(loginBody, body), { ip, userAgent }),
      }),
    },
  ];
}

/** /api/auth/* (DESIGN.md §4) and the JWKS. Thin: parse, call a service, answer. */
export function authRoutes(auth: Auth): Router {
  const router = Router();
  const { accounts, emailFlows, mfa, sessions } = auth;

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(auth.keys.jwks());
  });

  router.post('/api/auth/signup', async (req, res) => {
    const body = validateBody(signupBody, req.body);
    res.status(201).json(await accounts.signup(body, clientInfo(req)));
  });

  router.post('/api/auth/anonymous', async (req, res) => {
    const body = validateBody(anonymousBody, req.body);
    res.status(201).json(await accounts.anonymous(clientInfo(req), body.data));
  });

  router.post('/api/auth/refresh', async (req, res) => {
    const { refreshToken } = validateBody(refreshBody, req.body);
    await auth.limits.consume('refresh:ip', clientInfo(req).ip);
    const { session } = await sessions.refresh(refreshToken);
    res.json({ session });
  });

  router.post('/api/auth/logout', async (req, res) => {
    const { refreshToken } = validateBody(refreshBody, req.body);
    await sessions.logout(refreshToken, req.principal.kind === 'user' ? req.principal.user.id : undefined);
    res.status(204).end();
  });

  router.post('/api/auth/logout-all', async (req, res) => {
    const principal = requireUser(req.principal);
    await sessions.revokeAll(auth.deps.pool, principal.user.id, 'logout-all');
    res.status(204).end();
  });

  router.get('/api/auth/me', async (req, res) => {
    res.json({ user: await accounts.me(requireUser(req.principal)) });
  });

  router.patch('/api/auth/me', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(await accounts.patchMe(principal, validateBody(patchMeBody, req.body)));
  });

  // Deleting one's own account needs credentials presented within RECENT_AUTH_SECONDS (POST reauthenticate).
  router.delete('/api/auth/me', async (req, res) => {
    const principal = requireUser(req.principal);
    await requireRecentAuth(sessions, principal);
    const id = principal.user.id;
    if (!(await deleteUser(auth.deps.pool, sessions, auth.deps.logger, id, `user:${id}`)))
      throw new HearthError('auth/not-found');
    res.status(204).end();
  });

  router.post('/api/auth/reauthenticate', async (req, res) => {
    const principal = requireUser(req.principal);
    await accounts.reauthenticate(principal, validateBody(reauthenticateBody, req.body));
    res.status(204).end();
  });

  router.post('/api/auth/password/change', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(
      await accounts.changePassword(principal, validateBody(changePasswordBody, req.body), clientInfo(req)),
    );
  });

  router.post('/api/auth/password/forgot', async (req, res) => {
    const { email, redirectTo } = validateBody(emailLinkRequestBody, req.body);
    res.status(202).json(await emailFlows.forgotPassword(email, clientInfo(req), redirectTo));
  });

  router.post('/api/auth/password/reset', async (req, res) => {
    res.json(await emailFlows.resetPassword(validateBody(resetBody, req.body), clientInfo(req)));
  });

  router.post('/api/auth/email/verify', async (req, res) => {
    const { token } = validateBody(tokenBody, req.body);
    res.json(await emailFlows.verifyEmail(token, clientInfo(req)));
  });

  router.post('/api/auth/email/verify/resend', async (req, res) => {
    if (req.principal.kind === 'user') {
      const { redirectTo } = validateBody(resendSignedInBody, req.body);
      await emailFlows.sendVerification(req.principal.user.id, redirectTo);
      res.status(202).json({ message: 'If your address is unconfirmed, a link is on its way.' });
      return;
    }
    const { email, redirectTo } = validateBody(emailLinkRequestBody, req.body);
    res.status(202).json(await emailFlows.resendVerification(email, clientInfo(req), redirectTo));
  });

  router.get('/api/auth/sessions', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json({ items: await sessions.list(principal.user.id, principal.sessionId) });
  });

  router.delete('/api/auth/sessions/:id', async (req, res) => {
    const principal = requireUser(req.principal);
    const id = uuidParam.safeParse(req.params.id);
    if (!id.success || !(await sessions.revoke(principal.user.id, id.data)))
      throw new HearthError('auth/not-found');
    res.status(204).end();
  });

  router.post('/api/auth/mfa/totp/enroll', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(await mfa.enroll(principal, validateBody(currentFactorBody, req.body).code));
  });

  router.post('/api/auth/mfa/totp/confirm', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(await mfa.confirm(principal, validateBody(codeBody, req.body).code));
  });

  router.post('/api/auth/mfa/totp/disable', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(await mfa.disable(principal, validateBody(codeBody, req.body).code));
  });

  router.post('/api/auth/mfa/recovery-codes', async (req, res) => {
    const principal = requireUser(req.principal);
    res.json(await mfa.regenerateRecoveryCodes(principal, validateBody(currentFactorBody, req.body).code));
  });

  router.post('/api/auth/mfa/verify', async (req, res) => {
    res.json(await mfa.verify(validateBody(mfaVerifyBody, req.body), clientInfo(req)));
  });

  router.use(oauthRoutes(auth));

  return router;
}
