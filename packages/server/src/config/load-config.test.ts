import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'hearth-config-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

function failure(env: Record<string, string>, configFile?: string): string {
  try {
    loadConfig({ env, ...(configFile ? { configFile } : {}) });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 8090,
      host: '127.0.0.1',
      dataDir: './hearth-data',
      databasePoolMax: 10,
      corsOrigins: ['*'],
      trustProxy: [],
      bodyLimit: 1024 * 1024,
      logLevel: 'info',
      metricsEnabled: true,
      cleanupInterval: 3600,
      endedSessionRetentionDays: 7,
      outboxRetentionDays: 30,
      revokedCredentialRetentionDays: 30,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('accepts a cleanup interval of 0, which turns cleanup off', () => {
    expect(loadConfig({ env: { HEARTH_CLEANUP_INTERVAL: '0' } }).cleanupInterval).toBe(0);
  });

  it('reads typed values from the environment', () => {
    const config = loadConfig({
      env: {
        HEARTH_PORT: '9000',
        HEARTH_DATABASE_URL: 'postgresql://u:p@db:5432/hearth',
        HEARTH_CORS_ORIGINS: 'https://a.example, https://b.example',
        HEARTH_BODY_LIMIT: '512kb',
        HEARTH_METRICS: 'no',
      },
    });
    expect(config.port).toBe(9000);
    expect(config.databaseUrl).toBe('postgresql://u:p@db:5432/hearth');
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.bodyLimit).toBe(512 * 1024);
    expect(config.metricsEnabled).toBe(false);
  });

  it.each([
    [{ HEARTH_PORT: 'abc' }, /^HEARTH_PORT: must be a whole number from 0 to 65535 \(got "abc"\)$/],
    [{ HEARTH_PORT: '70000' }, /^HEARTH_PORT: must be a whole number/],
    [{ HEARTH_PORT: '-1' }, /^HEARTH_PORT: /],
    [{ HEARTH_DATABASE_URL: 'not a url' }, /^HEARTH_DATABASE_URL: must be a URL starting with postgres:\/\//],
    [{ HEARTH_DATABASE_URL: 'mysql://db/hearth' }, /^HEARTH_DATABASE_URL: must be a URL/],
    [{ HEARTH_REDIS_URL: 'http://x' }, /^HEARTH_REDIS_URL: must be a URL starting with redis:\/\//],
    [{ HEARTH_LOG_LEVEL: 'loud' }, /^HEARTH_LOG_LEVEL: must be one of/],
    [{ HEARTH_BODY_LIMIT: 'lots' }, /^HEARTH_BODY_LIMIT: must be a size/],
    [{ HEARTH_METRICS: 'maybe' }, /^HEARTH_METRICS: must be true or false/],
    [{ HEARTH_DATABASE_POOL_MAX: '0' }, /^HEARTH_DATABASE_POOL_MAX: must be a whole number from 1/],
    [
      { HEARTH_CLEANUP_INTERVAL: '-1' },
      /^HEARTH_CLEANUP_INTERVAL: must be a whole number of seconds from 0 to 604800/,
    ],
    [{ HEARTH_CLEANUP_INTERVAL: '1.5' }, /^HEARTH_CLEANUP_INTERVAL: must be a whole number of seconds/],
    [{ HEARTH_CLEANUP_INTERVAL: '604801' }, /^HEARTH_CLEANUP_INTERVAL: must be a whole number of seconds/],
    [
      { HEARTH_OUTBOX_RETENTION_DAYS: '0' },
      /^HEARTH_OUTBOX_RETENTION_DAYS: must be a whole number from 1 to 3650/,
    ],
    [
      { HEARTH_REVOKED_CREDENTIAL_RETENTION_DAYS: '0' },
      /^HEARTH_REVOKED_CREDENTIAL_RETENTION_DAYS: must be a whole number from 1 to 3650/,
    ],
    [
      { HEARTH_ENDED_SESSION_RETENTION_DAYS: '3651' },
      /^HEARTH_ENDED_SESSION_RETENTION_DAYS: must be a whole number from 1 to 3650/,
    ],
    [
      { HEARTH_S3_ENDPOINT: 'http://minio:9000' },
      /^HEARTH_S3_BUCKET: required when HEARTH_S3_ENDPOINT is set$/,
    ],
    [{ HEARTH_PROT: '8090' }, /^HEARTH_PROT: unknown variable/],
    [{ HEARTH_SECRET_FILE: '/x' }, /^HEARTH_SECRET_FILE: unknown variable/],
  ])('rejects %j with one clear line', (env, pattern) => {
    expect(failure(env)).toMatch(pattern);
  });

  it('never echoes a secret value in an error', () => {
    const message = failure({ HEARTH_DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(message).not.toContain('hunter2');
  });

  it('ignores variables that belong to the CLI and the test harness', () => {
    expect(() =>
      loadConfig({ env: { HEARTH_URL: 'http://x', HEARTH_SERVICE_KEY: 'k', HEARTH_TEST_REQUIRE_ALL: '1' } }),
    ).not.toThrow();
  });

  it('reads a JSON config file, with the environment winning', () => {
    const path = file(
      'ok.json',
      JSON.stringify({ port: 7000, host: '0.0.0.0', corsOrigins: ['https://a.example'] }),
    );
    const config = loadConfig({ env: { HEARTH_PORT: '7001' }, configFile: path });
    expect(config.port).toBe(7001);
    expect(config.host).toBe('0.0.0.0');
    expect(config.corsOrigins).toEqual(['https://a.example']);
  });

  it('finds the config file through HEARTH_CONFIG_FILE', () => {
    const path = file('env.json', JSON.stringify({ port: 7100 }));
    expect(loadConfig({ env: { HEARTH_CONFIG_FILE: path } }).port).toBe(7100);
  });

  it('rejects unknown keys, bad JSON and bad values in the config file', () => {
    expect(failure({}, file('unknown.json', '{"prot": 1}'))).toMatch(/unknown key "prot"/);
    expect(failure({}, file('bad.json', '{port:'))).toMatch(/is not valid JSON/);
    expect(failure({}, file('array.json', '[]'))).toMatch(/must hold a JSON object/);
    expect(failure({}, file('value.json', '{"port":"x"}'))).toMatch(
      /^port in .*value\.json: must be a whole number/,
    );
    expect(failure({}, file('proto.json', '{"__proto__": {"port": 1}}'))).toMatch(/unknown key "__proto__"/);
    expect(failure({}, join(dir, 'missing.json'))).toMatch(/cannot read .*missing\.json \(ENOENT\)/);
  });

  it('reads secrets from *_FILE variables', () => {
    const path = file('db-url', 'postgres://u:p@db/hearth\n');
    expect(loadConfig({ env: { HEARTH_DATABASE_URL_FILE: path } }).databaseUrl).toBe(
      'postgres://u:p@db/hearth',
    );
    expect(failure({ HEARTH_DATABASE_URL_FILE: join(dir, 'nope') })).toMatch(
      /^HEARTH_DATABASE_URL_FILE: cannot read/,
    );
  });

  it('reads encryption keys as 32 bytes from base64 or base64url, directly or from *_FILE', () => {
    const current = randomBytes(32);
    const previous = [randomBytes(32), randomBytes(32)];
    const config = loadConfig({
      env: {
        HEARTH_ENCRYPTION_KEY_FILE: file('encryption-key', `${current.toString('base64')}\n`),
        HEARTH_ENCRYPTION_KEY_PREVIOUS: `${previous[0]!.toString('base64url')}, ${previous[1]!.toString('base64')}`,
      },
    });
    expect(config.encryptionKey?.equals(current)).toBe(true);
    expect(config.encryptionKeyPrevious?.map((key) => key.toString('hex'))).toEqual(
      previous.map((key) => key.toString('hex')),
    );
    expect(loadConfig({ env: {} }).encryptionKey).toBeUndefined();
  });

  it.each([
    ['a passphrase', 'hunter2 hunter2 hunter2 hunter2 hunter2 hunter2'],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['64 hex digits', randomBytes(32).toString('hex')],
  ])('rejects an encryption key that is %s, without echoing it', (_name, value) => {
    const message = failure({ HEARTH_ENCRYPTION_KEY: value });
    expect(message).toMatch(/^HEARTH_ENCRYPTION_KEY: must be 32 bytes in base64 or base64url/);
    expect(message).not.toContain(value.slice(0, 12));
  });

  it('rejects a bad previous key by position, and previous keys without a current key', () => {
    const good = randomBytes(32).toString('base64');
    const message = failure({
      HEARTH_ENCRYPTION_KEY: good,
      HEARTH_ENCRYPTION_KEY_PREVIOUS: `${good},not-a-key`,
    });
    expect(message).toMatch(/^HEARTH_ENCRYPTION_KEY_PREVIOUS: key 2 of 2 must be 32 bytes/);
    expect(message).not.toContain(good);
    expect(failure({ HEARTH_ENCRYPTION_KEY_PREVIOUS: good })).toMatch(
      /^HEARTH_ENCRYPTION_KEY_PREVIOUS: needs HEARTH_ENCRYPTION_KEY/,
    );
  });

  it('lets command-line overrides win', () => {
    const config = loadConfig({ env: { HEARTH_PORT: '7001' }, overrides: { port: '7002' } });
    expect(config.port).toBe(7002);
  });
});
