interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/**
 * Just enough of a browser's cookie store to walk an OAuth redirect chain on
 * 127.0.0.1. Cookies are scoped by host, not port (as in browsers), and
 * Domain/Secure/SameSite are ignored because everything is one loopback host.
 */
export class CookieJar {
  readonly #cookies = new Map<string, StoredCookie>();

  /** Value for a request's Cookie header, or undefined when none applies. */
  header(url: URL): string | undefined {
    const matching = [...this.#cookies.values()].filter((c) => pathMatches(url.pathname, c.path));
    if (matching.length === 0) return undefined;
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  store(url: URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.#storeOne(url, line);
  }

  get(name: string): string | undefined {
    return [...this.#cookies.values()].find((c) => c.name === name)?.value;
  }

  #storeOne(url: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = defaultPath(url.pathname);
    let expired = false;
    for (const attribute of attributes) {
      const [rawKey = '', ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const attrValue = rest.join('=').trim();
      if (key === 'path' && attrValue.startsWith('/')) path = attrValue;
      if (key === 'max-age' && Number(attrValue) <= 0) expired = true;
      if (key === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
    }
    const key = `${name};${path}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path });
  }
}

function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf('/');
  return slash <= 0 ? '/' : requestPath.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
