import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ENCRYPTION_KEY_BYTES } from '../lib/encryption-key.js';

/**
 * Encryption of single database values (TOTP secrets, private signing keys)
 * with AES-256-GCM under HEARTH_ENCRYPTION_KEY. A stored value reads
 *
 *   enc:v1:<keyId>:<nonce>:<ciphertext+tag>
 *
 * with nonce and ciphertext in base64url. keyId is a fingerprint of the key,
 * so values sealed under a previous key are found and opened during a
 * rotation. Each value is bound to where it lives (a context such as
 * `users.totpSecret:<userId>`) through the additional authenticated data, so
 * a ciphertext copied to another row or column does not open. Values without
 * the `enc:` prefix are legacy plaintext.
 */

/** The prefix of every encrypted value, whatever its key. */
export const ENCRYPTED_PREFIX = 'enc:';
const PREFIX = ENCRYPTED_PREFIX;
const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const KEY_ID = /^[0-9a-f]{8}$/;

/** A stored value that cannot be opened: unknown key, no key, altered or misplaced ciphertext. */
export class FieldDecryptionError extends Error {
  constructor(
    message: string,
    /** The key id the value names, when it names one. */
    readonly keyId: string | undefined,
  ) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

/** A short, public fingerprint of a key: the first 4 bytes of SHA-256 over a label and the key, in hex. */
export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256').update('hearth field encryption key\0').update(key).digest('hex').slice(0, 8);
}

/** Whether a stored value is in the encrypted format (as opposed to legacy plaintext). */
export function isEncryptedValue(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The key id an encrypted value names, or undefined for plaintext or an unknown format. */
export function keyIdOf(stored: string): string | undefined {
  const parts = stored.split(':');
  return parts.length === 5 && parts[1] === VERSION && KEY_ID.test(parts[2] ?? '') ? parts[2] : undefined;
}

function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${PREFIX}${VERSION}:${keyId}|${context}`, 'utf8');
}

interface FieldKey {
  id: string;
  key: Buffer;
}

export class FieldCipher {
  private readonly keys = new Map<string, FieldKey>();
  private readonly current: FieldKey | undefined;

  /**
   * `current` seals new values (none: values are stored as plaintext);
   * `previous` keys only open values sealed before a rotation.
   */
  constructor(current: Buffer | undefined, previous: readonly Buffer[] = []) {
    if (current === undefined && previous.length > 0) {
      throw new Error('previous encryption keys need a current key');
    }
    for (const key of [...(current ? [current] : []), ...previous]) {
      if (key.length !== ENCRYPTION_KEY_BYTES)
        throw new Error(`an encryption key must be ${ENCRYPTION_KEY_BYTES} bytes`);
      const id = encryptionKeyId(key);
      const known = this.keys.get(id);
      if (known && !known.key.equals(key)) throw new Error(`two encryption keys share the id ${id}`);
      if (!known) this.keys.set(id, { id, key: Buffer.from(key) });
    }
    this.current = current ? this.keys.get(encryptionKeyId(current)) : undefined;
  }

  /** Whether new values are encrypted. */
  get enabled(): boolean {
    return this.current !== undefined;
  }

  /** Id of the key new values are sealed with. */
  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  /** The prefix every value sealed now starts with; undefined when values are stored as plaintext. */
  get currentPrefix(): string | undefined {
    return this.current ? `${PREFIX}${VERSION}:${this.current.id}:` : undefined;
  }

  /** The value to store for `plaintext` at `context`: encrypted under the current key, or as is when there is none. */
  seal(plaintext: string, context: string): string {
    const current = this.current;
    if (!current) return plaintext;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, current.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(current.id, context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${VERSION}:${current.id}:${nonce.toString('base64url')}:${sealed.toString('base64url')}`;
  }

  /**
   * The plaintext of a stored value. Legacy plaintext is returned as is; an
   * encrypted value that cannot be opened throws FieldDecryptionError, never
   * passes through as if it were plaintext.
   */
  open(stored: string, context: string): string {
    if (!isEncryptedValue(stored)) return stored;
    const parts = stored.split(':');
    const [, version, keyId, nonceText, sealedText] = parts;
    if (
      parts.length !== 5 ||
      version !== VERSION ||
      keyId === undefined ||
      !KEY_ID.test(keyId) ||
      !BASE64URL.test(nonceText ?? '') ||
      !BASE64URL.test(sealedText ?? '')
    ) {
      throw new FieldDecryptionError(`${context}: not a value this version of Hearth can decrypt`, undefined);
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new FieldDecryptionError(
        this.current
          ? `${context}: encrypted with key ${keyId}, which is neither HEARTH_ENCRYPTION_KEY nor in HEARTH_ENCRYPTION_KEY_PREVIOUS`
          : `${context}: encrypted with key ${keyId}, but HEARTH_ENCRYPTION_KEY is not set`,
        keyId,
      );
    }
    const nonce = Buffer.from(nonceText!, 'base64url');
    const sealed = Buffer.from(sealedText!, 'base64url');
    if (nonce.length !== NONCE_BYTES || sealed.length < TAG_BYTES) {
      throw new FieldDecryptionError(`${context}: malformed encrypted value`, keyId);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key.key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId, context));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new FieldDecryptionError(
        `${context}: the encrypted value does not authenticate (altered, or copied from another row or column)`,
        keyId,
      );
    }
  }
}
