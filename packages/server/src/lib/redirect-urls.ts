/**
 * Redirect URLs as plain URLs: whether one lies under an allowed prefix, and
 * whether a configured prefix is one a redirect can match. Auth applies them
 * to requests (auth/redirect-allowlist.ts); config checks
 * HEARTH_AUTH_REDIRECT_URLS with them at start.
 */

/**
 * Whether `candidate` lies under the allowed `prefix`: same scheme, same host
 * and port, and a path equal to the prefix's or below it at a `/` boundary.
 * The prefix's query and fragment play no part. Exact string comparisons on
 * parsed URLs, so `https://app.example.com.evil.example/`,
 * `https://app.example.com@evil.example/` and `/app-evil` under `/app` fail.
 */
export function isUnderPrefix(candidate: URL, prefix: URL): boolean {
  if (candidate.protocol !== prefix.protocol || candidate.host !== prefix.host) return false;
  const base = prefix.pathname.endsWith('/') ? prefix.pathname : `${prefix.pathname}/`;
  return candidate.pathname === prefix.pathname || candidate.pathname.startsWith(base);
}

// Schemes that run or embed content rather than name a page: refused even if listed.
const refusedSchemes = new Set(['javascript:', 'vbscript:', 'data:', 'blob:', 'file:']);

/**
 * Parses `value` and returns it when it starts with one of `allowedPrefixes`,
 * else undefined. Relative and protocol-relative URLs do not parse without a
 * base and fail; so do URLs carrying credentials, URLs without a hierarchical
 * path (`mailto:…`) and script or data schemes, whatever the list says.
 */
export function allowedRedirect(value: string, allowedPrefixes: readonly string[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '' || !url.pathname.startsWith('/')) return undefined;
  if (refusedSchemes.has(url.protocol)) return undefined;
  const allowed = allowedPrefixes.some((prefix) => {
    try {
      return isUnderPrefix(url, new URL(prefix));
    } catch {
      return false;
    }
  });
  return allowed ? url : undefined;
}

/**
 * What is wrong with one HEARTH_AUTH_REDIRECT_URLS entry, in words for a
 * one-line start-up error, or undefined when it is a usable prefix: an
 * absolute URL whose path starts with `/` (`https://app.example.com/`,
 * `http://localhost:5173/`, `myapp://auth/`, `com.example.app:/callback`),
 * in a scheme a redirect may use. An entry `allowedRedirect` could never
 * match, or that reads as more than it allows (a query or fragment, which
 * play no part in matching; a `*`, which is not a wildcard), is refused
 * rather than ignored. The entry is quoted with any user name and password
 * masked, so the message is safe to log.
 */
export function redirectPrefixProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `${JSON.stringify(entry)} is not an absolute URL; write it with its scheme, e.g. https://app.example.com/`;
  }
  if (url.username !== '' || url.password !== '') {
    const masked = `${url.protocol}//…@${url.host}${url.pathname}`;
    return `${JSON.stringify(masked)} carries a user name or password; list the URL without them`;
  }
  const quoted = JSON.stringify(entry);
  if (refusedSchemes.has(url.protocol)) {
    return `${quoted} uses ${url.protocol}, which is never allowed as a redirect`;
  }
  if (!url.pathname.startsWith('/')) {
    return `${quoted} is not an absolute URL with a path; write it as scheme://host/ (e.g. https://app.example.com/) or scheme:/path`;
  }
  if (url.hostname.includes('*')) {
    return `${quoted} has a * in its host; wildcards are not supported, list each host`;
  }
  if (entry.includes('*')) {
    return `${quoted} has a * in its path; a prefix already allows every path below it, so drop the *`;
  }
  if (entry.includes('#')) {
    return `${quoted} has a fragment (#…), which plays no part in matching; list the URL without it`;
  }
  if (entry.includes('?')) {
    return `${quoted} has a query (?…), which plays no part in matching; list the URL without it`;
  }
  return undefined;
}
