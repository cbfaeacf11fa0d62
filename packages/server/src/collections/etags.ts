/** `"123", W/"456"` → ['123', '456'] (weak tags compare by value: xmin is a version, not bytes). */
export function parseEtags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .filter((tag) => tag !== '')
    .slice(0, 20);
}

/** Whether an If-Match header matches an ETag (`*` matches any). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return parseEtags(header).includes(etag.replace(/^"|"$/g, ''));
}

/** Whether an If-Match header constrains the version at all. */
export function constrainsVersion(ifMatch: string | undefined): ifMatch is string {
  return ifMatch !== undefined && ifMatch.trim() !== '*';
}
