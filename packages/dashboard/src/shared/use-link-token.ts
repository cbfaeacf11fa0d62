import { useEffect, useState } from 'react';
import { readLinkToken } from './link-token.ts';

/**
 * The one-time token of the link that opened this page. It is read once and
 * kept in memory; the address bar (and so the history entry) loses it.
 */
export function useLinkToken(): string | undefined {
  const [token] = useState(() => readLinkToken(window.location.href).token);
  useEffect(() => {
    const { token: stillThere, cleanUrl } = readLinkToken(window.location.href);
    if (stillThere !== undefined) window.history.replaceState(window.history.state, '', cleanUrl);
  }, []);
  return token;
}
