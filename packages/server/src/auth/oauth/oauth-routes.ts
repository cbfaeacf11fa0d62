import { z } from 'zod';
import { HearthError, isHearthError } from '../../errors/index.js';
import { clientInfo } from '../client-info.js';
import type { Auth } from '../create-auth.js';
import { requireRecentAuth } from '../recent-auth.js';
import { redirectToField } from '../redirect-allowlist.js';
import { json, noContent, redirect, route, type Route, type RouteRequest } from '../../http/route.js';

const startQuery = z.object({ redirectTo: redirectToField.optional() });
const linkBody = z.strictObject({ redirectTo: redirectToField.optional() });
const exchangeBody = z.strictObject({ code: z.string().min(1).max(512) });
const providerParams = z.object({ provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/) });
const unknownProvider = () => new HearthError('auth/unknown-provider');
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const tag = 'OAuth';

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

/**
 * OAuth/OIDC routes. The browser goes to /start, the provider returns it to
 * /callback, which redirects to the app's redirectTo with a one-time `code`
 * (or `error` and `error_description`); the app trades the code at
 * POST /api/auth/oauth/exchange. Without redirectTo the callback answers the
 * sign-in as JSON.
 */
export function oauthRoutes(auth: Auth): Route[] {
  const { oauth } = auth;

  const callback = async (request: RouteRequest<'anyone', { provider: string }>) => {
    const { provider } = request.params;
    const params = callbackParams(request.method === 'POST' ? request.body : request.query);
    const redirectTo = await oauth.pendingRedirect(params.get('state') ?? undefined);
    try {
      const outcome = await oauth.callback(provider, params);
      if (outcome.kind === 'linked') {
        if (outcome.redirectTo) return redirect(withParams(outcome.redirectTo, { linked: provider }));
        return json({ linked: provider });
      }
      if (outcome.redirectTo) return redirect(withParams(outcome.redirectTo, { code: outcome.code }));
      return json(await oauth.exchangeCode(outcome.code, clientInfo(request)));
    } catch (error) {
      if (!redirectTo || !isHearthError(error)) throw error;
      return redirect(withParams(redirectTo, { error: error.code, error_description: error.message }));
    }
  };
  const callbackRoute = {
    path: '/api/auth/oauth/:provider/callback',
    tag,
    caller: 'anyone',
    params: providerParams,
    invalidParams: unknownProvider,
    responses: {
      200: { description: 'Without redirectTo: the sign-in (or `{linked}`).', schema: ref('SignInResult') },
      302: { description: "To the app's redirectTo with `code`, `linked` or `error`." },
    },
    errors: ['auth/unknown-provider', 'auth/oauth-failed', 'auth/identity-conflict'],
    handle: callback,
  } as const;

  return [
    route({
      method: 'GET',
      path: '/api/auth/providers',
      operationId: 'listAuthProviders',
      summary: 'The OAuth/OIDC providers this server signs in with.',
      tag,
      caller: 'anyone',
      responses: { 200: { description: 'The providers.', schema: ref('ProviderList') } },
      handle: () => json({ items: oauth.list() }),
    }),
    route({
      method: 'GET',
      path: '/api/auth/oauth/:provider/start',
      operationId: 'startOAuth',
      summary: "Send the browser to the provider's sign-in page.",
      tag,
      caller: 'anyone',
      params: providerParams,
      invalidParams: unknownProvider,
      query: startQuery,
      responses: { 302: { description: "To the provider's authorization endpoint." } },
      errors: ['auth/unknown-provider', 'auth/redirect-not-allowed'],
      handle: async ({ params, query }) =>
        redirect(await oauth.start(params.provider, { redirectTo: query.redirectTo })),
    }),
    route({
      ...callbackRoute,
      method: 'GET',
      operationId: 'finishOAuth',
      summary: 'Where the provider returns the browser (query response mode).',
    }),
    route({
      ...callbackRoute,
      method: 'POST',
      operationId: 'finishOAuthFormPost',
      summary: 'Where the provider returns the browser (form_post response mode, as Apple does).',
      bodyFormat: 'json-or-form',
    }),
    route({
      method: 'POST',
      path: '/api/auth/oauth/exchange',
      operationId: 'exchangeOAuthCode',
      summary: 'Trade the one-time `code` from the callback redirect for a session.',
      tag,
      caller: 'anyone',
      body: exchangeBody,
      responses: { 200: { description: 'The user and a session.', schema: ref('SignInResult') } },
      errors: ['auth/link-invalid', 'http/rate-limited'],
      handle: async (request) => json(await oauth.exchangeCode(request.body.code, clientInfo(request))),
    }),
    route({
      method: 'POST',
      path: '/api/auth/oauth/:provider/link',
      operationId: 'linkOAuthIdentity',
      summary: 'Start linking a provider identity to the signed-in user (a recent sign-in needed).',
      tag,
      caller: 'user',
      params: providerParams,
      invalidParams: unknownProvider,
      body: linkBody,
      responses: { 200: { description: 'The URL to send the browser to.', schema: ref('Url') } },
      errors: ['auth/unknown-provider', 'auth/recent-auth-required', 'auth/redirect-not-allowed'],
      async handle({ principal, params, body }) {
        await requireRecentAuth(auth.sessions, principal);
        const url = await oauth.start(params.provider, {
          redirectTo: body.redirectTo,
          linkUserId: principal.user.id,
        });
        return json({ url });
      },
    }),
    route({
      method: 'GET',
      path: '/api/auth/identities',
      operationId: 'listIdentities',
      summary: 'The provider identities linked to the signed-in user.',
      tag,
      caller: 'user',
      responses: { 200: { description: 'The identities.', schema: ref('IdentityList') } },
      handle: async ({ principal }) => json({ items: await oauth.identities(principal.user.id) }),
    }),
    route({
      method: 'DELETE',
      path: '/api/auth/identities/:provider',
      operationId: 'unlinkIdentity',
      summary: 'Unlink a provider identity (not the last way to sign in).',
      tag,
      caller: 'user',
      params: providerParams,
      invalidParams: unknownProvider,
      responses: { 204: { description: 'Unlinked.' } },
      errors: ['auth/unknown-provider', 'auth/not-found', 'auth/last-sign-in-method'],
      async handle({ principal, params }) {
        await oauth.unlink(principal.user.id, params.provider);
        return noContent();
      },
    }),
  ];
}
