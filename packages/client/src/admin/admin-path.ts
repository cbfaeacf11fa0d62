/** `/api/admin/<segments…>`, each segment percent-encoded (ids come from users and URLs). */
export function adminPath(...segments: string[]): string {
  return ['/api/admin', ...segments.map((segment) => encodeURIComponent(segment))].join('/');
}
