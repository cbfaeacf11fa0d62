import { createPrivateKey, generateKeyPairSync, type JsonWebKeyInput } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { signEdDsaJwt } from './jwt-signer.js';

const claims = {
  sid: '7d8f1f9e-3c1e-4c8e-9a59-5d2f4b8c1a11',
  role: 'user',
  auth_time: 1_790_000_000,
  amr: ['pwd'],
  iss: 'https://hearth.example.test',
  aud: 'hearth',
  sub: '0b6f6d5e-9a3c-4f1b-8e2d-1c9a7b5e3f20',
  iat: 1_790_000_000,
  exp: 1_790_000_900,
};

async function keyPair() {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return {
    joseKey: privateKey,
    nodeKey: createPrivateKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' }),
    publicKey,
  };
}

describe('signEdDsaJwt', () => {
  it('produces exactly the bytes jose SignJWT produces for the same claims and key', async () => {
    const { joseKey, nodeKey } = await keyPair();
    const header = { kid: 'key-1', typ: 'at+jwt' };
    const fromJose = await new SignJWT({
      sid: claims.sid,
      role: claims.role,
      auth_time: claims.auth_time,
      amr: claims.amr,
    })
      .setProtectedHeader({ alg: 'EdDSA', ...header })
      .setIssuer(claims.iss)
      .setAudience(claims.aud)
      .setSubject(claims.sub)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(joseKey);
    expect(signEdDsaJwt(header, claims, nodeKey)).toBe(fromJose);
  });

  it('is verified by jose with the algorithm, type, issuer and audience pinned', async () => {
    const { nodeKey, publicKey } = await keyPair();
    const now = Math.floor(Date.now() / 1000);
    const token = signEdDsaJwt(
      { kid: 'key-1', typ: 'at+jwt' },
      { ...claims, iat: now, exp: now + 60 },
      nodeKey,
    );
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      typ: 'at+jwt',
      issuer: claims.iss,
      audience: 'hearth',
    });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'key-1', typ: 'at+jwt' });
    expect(payload.sub).toBe(claims.sub);
  });

  it('does not verify under another key', async () => {
    const { nodeKey } = await keyPair();
    const other = (await importJWK(
      generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }),
      'EdDSA',
    )) as CryptoKey;
    const now = Math.floor(Date.now() / 1000);
    const token = signEdDsaJwt(
      { kid: 'key-1', typ: 'at+jwt' },
      { ...claims, iat: now, exp: now + 60 },
      nodeKey,
    );
    await expect(jwtVerify(token, other, { algorithms: ['EdDSA'] })).rejects.toThrow(/signature/i);
  });
});
