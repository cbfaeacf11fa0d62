import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseEncryptionKey } from './encryption-key.js';

describe('parseEncryptionKey', () => {
  const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i)); // has + and / in base64

  it('accepts base64 and base64url, padded or not', () => {
    const base64 = raw.toString('base64');
    expect(base64).toMatch(/[+/]/);
    for (const text of [base64, base64.replace(/=+$/, ''), raw.toString('base64url'), ` ${base64}\n`]) {
      expect(parseEncryptionKey(text)?.equals(raw)).toBe(true);
    }
  });

  it.each([
    ['empty', ''],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex of 32 bytes', randomBytes(32).toString('hex')],
    ['a passphrase', 'correct horse battery staple is not a key'],
    ['stray characters', `${randomBytes(32).toString('base64').slice(0, 40)}!@#`],
    ['a non-canonical last character', `${raw.toString('base64url').slice(0, 42)}B`],
  ])('rejects %s', (_name, text) => {
    expect(parseEncryptionKey(text)).toBeUndefined();
  });
});
