import { CookieJar } from './cookie-jar.js';

export interface FollowAuthorizationOptions {
  /** Where the walk stops: by default at the first redirect that leaves the starting origin. */
  isCallback?: (url: URL) => boolean;
  /** Pass a jar to keep cookies set on the way (e.g. the app's OAuth state cookie) for the callback request. */
  jar?: CookieJar;
  maxRedirects?: number;
}

/**
 * Follows an authorization URL the way a browser would (GET, keeping
 * cookies) and returns the redirect to the client's callback without
 * requesting it, so the test decides how to call its own app with the code.
 */
export async function followAuthorization(
  start: string | URL,
  options: FollowAuthorizationOptions = {},
): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  const startOrigin = new URL(start).origin;
  const isCallback = options.isCallback ?? ((url: URL) => url.origin !== startOrigin);
  const maxRedirects = options.maxRedirects ?? 20;

  let url = new URL(start);
  for (let hop = 0; hop <= maxRedirects; hop++) {
    const headers: Record<string, string> = {};
    const cookie = jar.header(url);
    if (cookie !== undefined) headers['cookie'] = cookie;
    const response = await fetch(url, { redirect: 'manual', headers });
    jar.store(url, response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) {
      const body = (await response.text()).slice(0, 500);
      throw new Error(
        `authorization stopped at ${url.href} with ${response.status} instead of a redirect: ${body}`,
      );
    }
    await response.body?.cancel();
    const next = new URL(location, url);
    if (isCallback(next)) return next;
    url = next;
  }
  throw new Error(`authorization did not reach the callback within ${maxRedirects} redirects`);
}
