/** What a redacted link token reads as. */
export const REDACTED = '[redacted]';

/**
 * A single-use token in a mailed link: the value of a `token` query parameter
 * (base64url, as newOpaqueToken makes them), also when HTML escapes its `&`.
 * Every auth mail carries its token this way (a test holds each one to it);
 * migration 009 applies the same pattern to mail sent before it.
 */
const LINK_TOKEN = /((?:[?&]|&amp;)token=)[A-Za-z0-9_-]+/g;

/** The text with every link token replaced by [redacted], the rest of the link kept. */
export function redactLinkTokens(text: string): string {
  return text.replace(LINK_TOKEN, `$1${REDACTED}`);
}
