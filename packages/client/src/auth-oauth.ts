import { invalidAnswer, isObjectBody, itemsFrom } from './auth-responses.js';
import type { AuthSession } from './auth-session.js';
import type { Identity, OAuthProvider, OAuthSignInParams, SignInResult } from './auth-types.js';
import {
  currentPageUrl,
  navigateUnlessSkipped,
  removeOAuthParamsFromAddressBar,
} from './browser-location.js';
import { HearthError } from './hearth-error.js';
import { readUrlParams } from './url-params.js';

/** OAuth/OpenID sign-in and linked identities (`/api/auth/oauth`, `/api/auth/identities`). */
export class OAuthEndpoints {
  constructor(private readonly session: AuthSession) {}

  async signIn(params: OAuthSignInParams): Promise<{ url: string }> {
    const redirectTo = params.redirectTo ?? currentPageUrl();
    const url = this.session.url(`/oauth/${encodeURIComponent(params.provider)}/start`, { redirectTo });
    navigateUnlessSkipped(url, params.skipBrowserRedirect);
    return { url };
  }

  async complete(callbackUrl?: string | URL): Promise<SignInResult | null> {
    const source = callbackUrl ?? currentPageUrl();
    if (source === undefined)
      throw new TypeError('Hearth: completeOAuthSignIn needs the callback URL outside a browser');
    // Some flows put parameters in the fragment so they never reach a server log.
    const params = readUrlParams(String(source));
    const error = params.get('error') ?? null;
    const code = params.get('code') ?? null;
    if (error === null && code === null) return null;
    if (callbackUrl === undefined) removeOAuthParamsFromAddressBar();
    if (error !== null) {
      throw new HearthError(error, params.get('error_description') ?? params.get('message') ?? error, 0);
    }
    return this.exchange(code ?? '');
  }

  async exchange(code: string): Promise<SignInResult> {
    await this.session.ready;
    const body = await this.session.call('POST', '/oauth/exchange', { body: { code }, auth: 'none' });
    return this.session.signInWith(body);
  }

  async providers(): Promise<OAuthProvider[]> {
    return itemsFrom<OAuthProvider>(
      await this.session.call('GET', '/providers', { auth: 'none' }),
      'provider list',
    );
  }

  async link(params: OAuthSignInParams): Promise<{ url: string }> {
    const redirectTo = params.redirectTo ?? currentPageUrl();
    const body = await this.session.call('POST', `/oauth/${encodeURIComponent(params.provider)}/link`, {
      body: redirectTo === undefined ? {} : { redirectTo },
    });
    if (!isObjectBody(body) || typeof body['url'] !== 'string') throw invalidAnswer('link URL');
    const url = body['url'];
    navigateUnlessSkipped(url, params.skipBrowserRedirect);
    return { url };
  }

  async identities(): Promise<Identity[]> {
    return itemsFrom<Identity>(await this.session.call('GET', '/identities'), 'identity list');
  }

  async unlink(provider: string): Promise<void> {
    await this.session.call('DELETE', `/identities/${encodeURIComponent(provider)}`);
  }
}
