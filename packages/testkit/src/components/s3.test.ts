import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Client } from 'minio';
import { startS3 } from './s3.js';
import { useS3 } from './use-components.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

describe('S3 (s3rver)', () => {
  const s3 = useS3();

  it('stores and returns objects through the minio client built from its settings', async () => {
    const { endPoint, port, useSSL, accessKey, secretKey, region, bucket } = s3();
    const client = new Client({ endPoint, port, useSSL, accessKey, secretKey, region });
    await client.putObject(bucket, 'avatars/u1/hello.txt', Buffer.from('hello, hearth'), undefined, {
      'Content-Type': 'text/plain',
    });
    expect(await readAll(await client.getObject(bucket, 'avatars/u1/hello.txt'))).toBe('hello, hearth');
    const stat = await client.statObject(bucket, 'avatars/u1/hello.txt');
    expect(stat.size).toBe(13);
  });

  it('gives the server its HEARTH_S3_* settings', () => {
    const env = s3().env();
    expect(env).toEqual({
      HEARTH_S3_ENDPOINT: `http://127.0.0.1:${s3().port}`,
      HEARTH_S3_BUCKET: 'hearth-test',
      HEARTH_S3_ACCESS_KEY: s3().accessKey,
      HEARTH_S3_SECRET_KEY: s3().secretKey,
      HEARTH_S3_REGION: 'us-east-1',
    });
  });

  it('creates more buckets on request', async () => {
    await s3().createBucket('second');
    expect(await s3().newClient().bucketExists('second')).toBe(true);
  });
});

describe('startS3 teardown', () => {
  it('closes the port and removes its directory', async () => {
    const s3 = await startS3({ bucket: 'gone' });
    await s3.newClient().putObject('gone', 'k', Buffer.from('v'));
    expect(existsSync(s3.directory)).toBe(true);
    await s3.close();
    expect(existsSync(s3.directory)).toBe(false);
    await expect(fetch(s3.url)).rejects.toThrow();
  });
});
