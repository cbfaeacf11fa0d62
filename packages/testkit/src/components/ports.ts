import { createServer } from 'node:net';
import type { Server } from 'node:net';

/**
 * A port that was free a moment ago, for programs that need the number before
 * they start (redis-server). In-process servers listen on port 0 instead.
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await listenOnLoopback(server);
  const port = boundPort(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function listenOnLoopback(server: Pick<Server, 'listen' | 'once' | 'off'>, port = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function boundPort(server: Pick<Server, 'address'>): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on TCP');
  return address.port;
}
