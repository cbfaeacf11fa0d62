import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ format: 'pem', type: 'pkcs8' }).toString();
const p256 = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const p384 = pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const ed25519 = pem(generateKeyPairSync('ed25519').privateKey);

const apple = (extra: Record<string, unknown>) => ({ clientId: 'com.example.web', ...extra });
const appleKey = { teamId: 'ABCDE12345', keyId: 'KEY1234567', privateKey: p256 };

function providers(value: unknown) {
  return loadConfig({
    env: { HEARTH_OAUTH_PROVIDERS: typeof value === 'string' ? value : JSON.stringify(value) },
  }).oauthProviders;
}

/** The one-line ConfigError for a providers value; never echoes the value (it holds secrets). */
function failure(value: unknown): string {
  try {
    providers(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^HEARTH_OAUTH_PROVIDERS: /);
    expect(message).not.toContain('BEGIN');
    expect(message).not.toContain('s3cret');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('HEARTH_OAUTH_PROVIDERS', () => {
  it('resolves the preset from the name, or from "preset"', () => {
    const parsed = providers({
      google: { clientId: 'g' },
      github: { clientId: 'gh', clientSecret: 's3cret' },
      ghe: {
        preset: 'github',
        clientId: 'ghe',
        clientSecret: 's3cret',
        baseUrl: 'https://github.example.com',
      },
      corp: { issuer: 'https://sso.example.com/realms/main', clientId: 'c' },
    });
    expect(parsed?.google?.preset).toBe('google');
    expect(parsed?.github?.preset).toBe('github');
    expect(parsed?.ghe).toMatchObject({ preset: 'github', baseUrl: 'https://github.example.com' });
    expect(parsed?.corp?.preset).toBe('oidc');
  });

  it('rejects a key that does not belong to the preset, naming the keys it takes', () => {
    expect(failure({ google: { clientId: 'g', tenant: 'x' } })).toBe(
      'HEARTH_OAUTH_PROVIDERS: google: unknown key "tenant" for the google preset (it takes preset, clientId, clientSecret, scopes, displayName, issuer)',
    );
    expect(failure({ corp: { issuer: 'https://sso.example.com', clientId: 'c', teamId: 'ABC' } })).toMatch(
      /corp: unknown key "teamId" for the oidc preset/,
    );
    expect(failure({ google: { clientId: 'g', clientsecret: 's3cret' } })).toMatch(
      /google: unknown key "clientsecret"/,
    );
    expect(failure({ github: { clientId: 'gh', clientSecret: 's3cret', privateKey: p256 } })).toMatch(
      /github: unknown key "privateKey"/,
    );
  });

  it('points a GitHub "issuer" at "baseUrl"', () => {
    expect(
      failure({ github: { clientId: 'gh', clientSecret: 's3cret', issuer: 'https://github.example.com' } }),
    ).toMatch(
      /github: unknown key "issuer" for the github preset \(for GitHub Enterprise Server, set "baseUrl"/,
    );
  });

  it('GitHub needs a client secret', () => {
    expect(failure({ github: { clientId: 'gh' } })).toMatch(
      /^HEARTH_OAUTH_PROVIDERS: github\.clientSecret: /,
    );
  });

  it('issuers and GitHub base URLs use https, plain http only on loopback', () => {
    for (const baseUrl of [
      'http://github.example.com',
      'ftp://github.example.com',
      'https://user:pw@github.example.com',
      'https://github.example.com/?x=1',
      'not a url',
      'javascript:alert(1)',
    ]) {
      expect(failure({ github: { clientId: 'gh', clientSecret: 's3cret', baseUrl } }), baseUrl).toMatch(
        /github\.baseUrl: must be an https URL/,
      );
    }
    expect(failure({ corp: { clientId: 'c', issuer: 'http://sso.example.com' } })).toMatch(
      /corp\.issuer: must be an https URL/,
    );
    for (const baseUrl of [
      'http://127.0.0.1:8080',
      'http://localhost:1',
      'http://[::1]:2',
      'https://ghe.corp',
    ]) {
      expect(
        providers({ github: { clientId: 'gh', clientSecret: 's3cret', baseUrl } })?.github,
      ).toMatchObject({
        baseUrl,
      });
    }
  });

  it('an oidc provider needs an issuer', () => {
    expect(failure({ corp: { clientId: 'c' } })).toMatch(/^HEARTH_OAUTH_PROVIDERS: corp\.issuer: /);
  });

  it('rejects unknown presets, bad names and values that are not objects', () => {
    expect(failure({ x: { preset: 'facebook', clientId: 'c' } })).toBe(
      'HEARTH_OAUTH_PROVIDERS: x.preset: must be one of google, apple, microsoft, github, oidc',
    );
    expect(failure({ x: { preset: ['github'], clientId: 'c' } })).toMatch(/x\.preset: must be one of/);
    expect(failure({ Google: { clientId: 'c' } })).toMatch(/"Google": provider names are/);
    expect(failure('{"__proto__":{"clientId":"c","issuer":"https://a.example"}}')).toMatch(
      /"__proto__": provider names are/,
    );
    expect(failure('{"google":{"clientId":"c","__proto__":{"issuer":"https://evil.example"}}}')).toMatch(
      /google: unknown key "__proto__"/,
    );
    expect(failure({ google: 'client-id' })).toMatch(/google: must be an object/);
    expect(failure({ google: null })).toMatch(/google: must be an object/);
    expect(failure([])).toMatch(/must be a JSON object of providers/);
    expect(failure('null')).toMatch(/must be a JSON object of providers/);
    expect(failure('{"google":')).toMatch(/must be a JSON object of providers/);
  });

  describe('apple', () => {
    it('takes a team id, key id and the .p8 key to mint its own client secret', () => {
      const parsed = providers({ apple: apple(appleKey) })?.apple;
      expect(parsed).toMatchObject({ preset: 'apple', teamId: 'ABCDE12345', keyId: 'KEY1234567' });
      if (parsed?.preset !== 'apple') throw new Error('expected an apple provider');
      expect(parsed.privateKey?.asymmetricKeyType).toBe('ec');
    });

    it('still takes a literal clientSecret', () => {
      expect(
        providers({ apple: apple({ clientSecret: 'eyJhbGciOiJFUzI1NiJ9.s3cret' }) })?.apple,
      ).toMatchObject({
        clientSecret: 'eyJhbGciOiJFUzI1NiJ9.s3cret',
      });
    });

    it('takes a key pasted with literal \\n sequences', () => {
      const escaped = p256.replace(/\n/g, '\\n');
      expect(escaped).not.toContain('\n');
      expect(providers({ apple: apple({ ...appleKey, privateKey: escaped }) })?.apple).toBeDefined();
    });

    it('refuses a key that is not an EC P-256 private key, in one line', () => {
      for (const privateKey of [
        rsa,
        p384,
        ed25519,
        'not a key',
        '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----',
        p256.replace('PRIVATE', 'PUBLIC'),
      ]) {
        expect(failure({ apple: apple({ ...appleKey, privateKey }) })).toBe(
          'HEARTH_OAUTH_PROVIDERS: apple.privateKey: must be the PEM of an EC P-256 private key (the .p8 file Apple lets you download once)',
        );
      }
    });

    it('needs all three key settings, or a clientSecret, but not both', () => {
      expect(failure({ apple: apple({ teamId: 'ABCDE12345', privateKey: p256 }) })).toBe(
        'HEARTH_OAUTH_PROVIDERS: apple: "keyId" is required with "teamId" and "privateKey"',
      );
      expect(failure({ apple: apple({ ...appleKey, clientSecret: 's3cret' }) })).toMatch(
        /apple: give either "clientSecret" or "teamId", "keyId" and "privateKey", not both/,
      );
      expect(failure({ apple: apple({}) })).toMatch(/apple: needs "teamId", "keyId" and "privateKey"/);
      expect(failure({ apple: apple({ ...appleKey, teamId: 'ABC DE' }) })).toMatch(
        /apple\.teamId: must be letters and digits/,
      );
      expect(failure({ apple: apple({ ...appleKey, tenant: 'x' }) })).toMatch(/apple: unknown key "tenant"/);
    });

    it('reads the key from HEARTH_OAUTH_PROVIDERS_FILE', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hearth-oauth-'));
      const path = join(dir, 'providers.json');
      writeFileSync(path, JSON.stringify({ apple: apple(appleKey) }, null, 2));
      const config = loadConfig({ env: { HEARTH_OAUTH_PROVIDERS_FILE: path } });
      expect(config.oauthProviders?.apple).toMatchObject({ teamId: 'ABCDE12345' });
    });
  });
});
