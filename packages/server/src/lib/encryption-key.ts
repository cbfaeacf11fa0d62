/** HEARTH_ENCRYPTION_KEY and its previous keys: 32 bytes for AES-256-GCM (secrets/field-encryption.ts). */
export const ENCRYPTION_KEY_BYTES = 32;

/**
 * Decodes a 32-byte key written in base64 or base64url (padding optional).
 * Returns undefined for anything else, so the caller words the error.
 */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const normalized = text.trim().replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]+$/.test(normalized)) return undefined;
  const key = Buffer.from(normalized, 'base64');
  if (key.length !== ENCRYPTION_KEY_BYTES) return undefined;
  // Node decodes leniently; only a canonical encoding of the same bytes is accepted.
  if (key.toString('base64').replace(/=+$/, '') !== normalized) return undefined;
  return key;
}
