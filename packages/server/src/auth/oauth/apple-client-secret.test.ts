import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppleClientSecret } from './apple-client-secret.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey };
const AUDIENCE = 'https://appleid.apple.com';

describe('AppleClientSecret', () => {
  it('mints an ES256 JWT that Apple would accept: iss team, sub client, aud Apple, kid key id', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new AppleClientSecret(key, 'com.example.web', AUDIENCE).current();
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'KEY1234567' });
    const { payload } = await jwtVerify(jwt, publicKey, {
      algorithms: ['ES256'],
      issuer: 'TEAM123456',
      subject: 'com.example.web',
      audience: AUDIENCE,
    });
    expect(payload.iat).toBeGreaterThanOrEqual(now - 1);
    // Far below Apple's six-month ceiling.
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('reuses the secret while it is fresh and mints a new one a minute before it expires', async () => {
    let now = 1_800_000_000;
    const secret = new AppleClientSecret(key, 'com.example.web', AUDIENCE, () => now);
    const first = await secret.current();
    now += 200;
    expect(await secret.current()).toBe(first);
    now += 40; // 60 s left
    const second = await secret.current();
    expect(second).not.toBe(first);
    const { payload } = await jwtVerify(second, publicKey, { currentDate: new Date(now * 1000) });
    expect(payload.iat).toBe(now);
  });
});
