import type { ChannelDefinition, SchemaDocument } from './document.js';

/**
 * The channel definition for a concrete channel name: an exact key wins, then
 * the longest `prefix*` pattern that matches, then `*`. Null when none does
 * (the server refuses such channels).
 */
export function matchChannel(
  document: SchemaDocument,
  name: string,
): { pattern: string; definition: ChannelDefinition } | null {
  const channels = document.channels ?? {};
  if (Object.hasOwn(channels, name) && !name.endsWith('*'))
    return { pattern: name, definition: channels[name] as ChannelDefinition };
  let best: string | null = null;
  for (const pattern of Object.keys(channels)) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (
      name.startsWith(prefix) &&
      name.length > prefix.length &&
      (best === null || prefix.length > best.length - 1)
    )
      best = pattern;
  }
  return best === null ? null : { pattern: best, definition: channels[best] as ChannelDefinition };
}
