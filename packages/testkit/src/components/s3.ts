import { createServer } from 'node:http';
import type { Client } from 'minio';
import { closeOnce } from './close-once.js';
import { boundPort, listenOnLoopback } from './ports.js';
import { makeTempDir } from './temp-dir.js';

export interface S3Env {
  HEARTH_S3_ENDPOINT: string;
  HEARTH_S3_BUCKET: string;
  HEARTH_S3_ACCESS_KEY: string;
  HEARTH_S3_SECRET_KEY: string;
  HEARTH_S3_REGION: string;
}

export interface S3Handle {
  /** Host only, as the minio client's `endPoint` wants it. */
  endPoint: '127.0.0.1';
  port: number;
  useSSL: false;
  accessKey: string;
  secretKey: string;
  /** Created before the handle is returned. */
  bucket: string;
  region: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Where s3rver keeps the objects; removed at close. */
  directory: string;
  /** What the server reads to use this S3 instead of the local disk. */
  env(): S3Env;
  /** A minio client for checking what the server stored. */
  newClient(): Client;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartS3Options {
  bucket?: string;
}

// s3rver only accepts its fixed dummy account.
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';
const REGION = 'us-east-1';

/** An in-process S3 (s3rver) on a free port, storing objects in a temp dir removed at close. */
export async function startS3(options: StartS3Options = {}): Promise<S3Handle> {
  const [{ default: S3rver }, { Client }] = await Promise.all([import('s3rver'), import('minio')]);
  const bucket = options.bucket ?? 'hearth-test';
  const dir = await makeTempDir('s3');
  const s3rver = new S3rver({
    directory: dir.path,
    silent: true,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  // Our own HTTP server rather than s3rver.run(), so close() can drop keep-alive sockets.
  const server = createServer(s3rver.callback());
  try {
    await s3rver.configureBuckets();
    await listenOnLoopback(server);
  } catch (error) {
    await dir.remove();
    throw error;
  }
  const port = boundPort(server);
  const url = `http://127.0.0.1:${port}`;
  const newClient = (): Client =>
    new Client({
      endPoint: '127.0.0.1',
      port,
      useSSL: false,
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      region: REGION,
    });

  return {
    endPoint: '127.0.0.1',
    port,
    useSSL: false,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    bucket,
    region: REGION,
    url,
    directory: dir.path,
    env: () => ({
      HEARTH_S3_ENDPOINT: url,
      HEARTH_S3_BUCKET: bucket,
      HEARTH_S3_ACCESS_KEY: ACCESS_KEY,
      HEARTH_S3_SECRET_KEY: SECRET_KEY,
      HEARTH_S3_REGION: REGION,
    }),
    newClient,
    createBucket: (name) => newClient().makeBucket(name, REGION),
    close: closeOnce(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dir.remove();
    }),
  };
}
