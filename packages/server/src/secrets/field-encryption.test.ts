import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encryptionKeyId,
  FieldCipher,
  FieldDecryptionError,
  isEncryptedValue,
  keyIdOf,
} from './field-encryption.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const context = 'users.totpSecret:6d1c2c9e-4a57-4a8c-9a5e-0d3f1f3b2a10';
const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** The error open() throws, so tests can assert its message. */
function openError(cipher: FieldCipher, stored: string, at = context): FieldDecryptionError {
  try {
    cipher.open(stored, at);
  } catch (error) {
    expect(error).toBeInstanceOf(FieldDecryptionError);
    return error as FieldDecryptionError;
  }
  throw new Error('expected open() to throw');
}

/** Flips one bit of the byte at `index` of a base64url segment. */
function flipBit(segment: string, index: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('FieldCipher', () => {
  it('round-trips, in the self-describing enc:v1 format, with a fresh nonce every time', () => {
    const cipher = new FieldCipher(keyA);
    const first = cipher.seal(secret, context);
    const second = cipher.seal(secret, context);
    expect(first).toMatch(/^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(first).not.toContain(secret);
    expect(first).not.toBe(second);
    expect(first.split(':')[3]).not.toBe(second.split(':')[3]);
    expect(keyIdOf(first)).toBe(encryptionKeyId(keyA));
    expect(cipher.open(first, context)).toBe(secret);
    expect(cipher.open(second, context)).toBe(secret);
    expect(cipher.open(cipher.seal('', context), context)).toBe('');
    const unicode = '{"d":"ключ","x":"🔑"}';
    expect(cipher.open(cipher.seal(unicode, context), context)).toBe(unicode);
  });

  it('detects tampering with the ciphertext, the tag, the nonce or the key id', () => {
    const cipher = new FieldCipher(keyA);
    const [prefix, version, keyId, nonce, sealed] = cipher.seal(secret, context).split(':') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const join = (...parts: string[]) => parts.join(':');
    const sealedLength = Buffer.from(sealed, 'base64url').length;
    const altered = [
      join(prefix, version, keyId, nonce, flipBit(sealed, 0)), // ciphertext
      join(prefix, version, keyId, nonce, flipBit(sealed, sealedLength - 1)), // tag
      join(prefix, version, keyId, flipBit(nonce, 5), sealed),
      join(
        prefix,
        version,
        keyId,
        nonce,
        Buffer.from(sealed, 'base64url').subarray(0, -1).toString('base64url'),
      ),
    ];
    for (const stored of altered) {
      expect(openError(cipher, stored).message).toMatch(/does not authenticate/);
    }
    // Truncated below the tag size, or not base64url at all.
    expect(openError(cipher, join(prefix, version, keyId, nonce, 'AAAA')).message).toMatch(/malformed/);
    expect(openError(cipher, join(prefix, version, keyId, nonce, 'not*base64')).message).toMatch(
      /not a value this version/,
    );
  });

  it('refuses a value copied to another row or column (wrong additional data)', () => {
    const cipher = new FieldCipher(keyA);
    const stored = cipher.seal(secret, 'users.totpSecret:user-1');
    expect(openError(cipher, stored, 'users.totpSecret:user-2').message).toMatch(
      /copied from another row or column/,
    );
    expect(openError(cipher, stored, 'users.totpPendingSecret:user-1').message).toMatch(
      /does not authenticate/,
    );
    expect(openError(cipher, stored, 'signing_keys.private_jwk:user-1').message).toMatch(
      /does not authenticate/,
    );
    expect(cipher.open(stored, 'users.totpSecret:user-1')).toBe(secret);
  });

  it('refuses a value under a key it does not have, naming the key id', () => {
    const stored = new FieldCipher(keyA).seal(secret, context);
    const error = openError(new FieldCipher(keyB), stored);
    expect(error.keyId).toBe(encryptionKeyId(keyA));
    expect(error.message).toContain(`encrypted with key ${encryptionKeyId(keyA)}`);
    expect(error.message).toContain('HEARTH_ENCRYPTION_KEY_PREVIOUS');
    expect(error.message).not.toContain(secret);
  });

  it('refuses an encrypted value when no key is configured, instead of passing it on as plaintext', () => {
    const stored = new FieldCipher(keyA).seal(secret, context);
    const error = openError(new FieldCipher(undefined), stored);
    expect(error.message).toMatch(/HEARTH_ENCRYPTION_KEY is not set/);
  });

  it('a wrong key forged under the right key id still fails authentication', () => {
    const stored = new FieldCipher(keyA).seal(secret, context);
    const forged = stored.replace(`:${encryptionKeyId(keyA)}:`, `:${encryptionKeyId(keyB)}:`);
    expect(openError(new FieldCipher(keyB), forged).message).toMatch(/does not authenticate/);
  });

  it('rotates: a cipher with the old key as previous opens old values and seals new ones under the new key', () => {
    const before = new FieldCipher(keyA);
    const old = before.seal(secret, context);
    const after = new FieldCipher(keyB, [keyA]);
    expect(after.open(old, context)).toBe(secret);
    const resealed = after.seal(after.open(old, context), context);
    expect(keyIdOf(resealed)).toBe(encryptionKeyId(keyB));
    expect(resealed.startsWith(after.currentPrefix!)).toBe(true);
    expect(old.startsWith(after.currentPrefix!)).toBe(false);
    // The old cipher alone cannot read what the new key wrote.
    expect(openError(before, resealed).keyId).toBe(encryptionKeyId(keyB));
    // Listing the current key as previous too is harmless.
    expect(new FieldCipher(keyB, [keyB, keyA]).open(resealed, context)).toBe(secret);
  });

  it('tells legacy plaintext from encrypted values and passes plaintext through', () => {
    const cipher = new FieldCipher(keyA);
    expect(isEncryptedValue(secret)).toBe(false);
    expect(cipher.open(secret, context)).toBe(secret);
    const jwkText = '{"d": "x", "crv": "Ed25519", "kty": "OKP"}';
    expect(cipher.open(jwkText, context)).toBe(jwkText);
    // Anything claiming the prefix must be a valid encrypted value.
    for (const bogus of [
      'enc:',
      'enc:v1',
      'enc:v2:0011aabb:AAAAAAAAAAAAAAAA:AAAA',
      'enc:v1:XYZ:a:b',
      'enc:v1:0011aabb:a:b:c',
    ]) {
      expect(openError(cipher, bogus).message).toMatch(/not a value this version/);
    }
  });

  it('without a key, seal stores plaintext as before', () => {
    const cipher = new FieldCipher(undefined);
    expect(cipher.enabled).toBe(false);
    expect(cipher.seal(secret, context)).toBe(secret);
    expect(cipher.currentPrefix).toBeUndefined();
  });

  it('refuses previous keys without a current key, and keys of the wrong size', () => {
    expect(() => new FieldCipher(undefined, [keyA])).toThrow(/need a current key/);
    expect(() => new FieldCipher(randomBytes(16))).toThrow(/32 bytes/);
    expect(() => new FieldCipher(keyA, [randomBytes(31)])).toThrow(/32 bytes/);
  });
});
