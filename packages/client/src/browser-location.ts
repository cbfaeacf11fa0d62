import { isBrowserPage } from './session-storage.js';

/** The page's address, for redirects that come back to it: undefined outside a browser. */
export function currentPageUrl(): string | undefined {
  if (!isBrowserPage()) return undefined;
  const href = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof href === 'string' ? href : undefined;
}

/** Sends the browser to `url`, unless asked not to or not in a browser. */
export function navigateUnlessSkipped(url: string, skipBrowserRedirect: boolean | undefined): void {
  if (skipBrowserRedirect === true || !isBrowserPage()) return;
  (globalThis as unknown as { location: { assign(url: string): void } }).location.assign(url);
}

/** Takes the one-time OAuth answer out of the address bar, so a reload or a shared link cannot replay it. */
export function removeOAuthParamsFromAddressBar(): void {
  const scope = globalThis as {
    location?: { href: string };
    history?: { replaceState(data: unknown, unused: string, url: string): void; state: unknown };
  };
  if (!isBrowserPage() || scope.location === undefined || typeof scope.history?.replaceState !== 'function')
    return;
  const url = new URL(scope.location.href);
  for (const key of ['code', 'error', 'error_description', 'state']) url.searchParams.delete(key);
  if (/(^#|&)(code|error)=/.test(url.hash)) url.hash = '';
  scope.history.replaceState(scope.history.state, '', url.toString());
}
