/**
 * Reads the one-time `token` a mail or `hearth start` put in a link, and the
 * same address without it. The page keeps the token in memory only, and puts
 * the clean address in the address bar, so the token ends up in no history
 * entry, bookmark or screenshot.
 */
export function readLinkToken(href: string): { token: string | undefined; cleanUrl: string } {
  const url = new URL(href);
  const token = url.searchParams.get('token') ?? undefined;
  url.searchParams.delete('token');
  return { token: token === '' ? undefined : token, cleanUrl: url.pathname + url.search + url.hash };
}
