/**
 * Query strings by hand: React Native's built-in URL and URLSearchParams
 * leave much unimplemented (origin, pathname, searchParams, get), and the SDK
 * must not need a polyfill for the little it does with URLs.
 */

export type QueryValue = string | number | boolean | null | undefined;

/** `a=1&b=x%20y`, leaving out undefined and null values. */
export function encodeQuery(query: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

/** The parameters of a URL's query and fragment (the query wins when both have a key). */
export function readUrlParams(url: string): Map<string, string> {
  const params = new Map<string, string>();
  const hashAt = url.indexOf('#');
  const beforeHash = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  const query = queryAt === -1 ? '' : beforeHash.slice(queryAt + 1);
  const fragment = hashAt === -1 ? '' : url.slice(hashAt + 1);
  for (const part of [query, fragment]) {
    for (const pair of part.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
      if (!params.has(key)) params.set(key, value);
    }
  }
  return params;
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `http(s)://host[:port][/path]` without a trailing slash, or undefined when `url` is not one. */
export function normalizeHttpUrl(url: string): string | undefined {
  const match = /^(https?):\/\/([^/?#\s]+)([^?#\s]*)$/i.exec(url.trim());
  if (match === null) return undefined;
  const [, scheme, host, path] = match;
  return `${scheme!.toLowerCase()}://${host}${path ?? ''}`.replace(/\/+$/, '');
}
