import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, startHearth, type HearthInstance } from '@hearth/server';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { method: string; path: string };
  res?: { statusCode: number };
  responseTime?: number;
}

const INFO = 30;
const ERROR = 50;

let database: TestDatabase;
let dataDir: string;
let hearth: HearthInstance;
const lines: LogLine[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'hearth-logging-'));
  // The documented default level, with the log lines collected instead of printed.
  const config = loadConfig({
    env: {
      HEARTH_DATABASE_URL: database.url,
      HEARTH_PORT: '0',
      HEARTH_DATA_DIR: dataDir,
      HEARTH_LOG_LEVEL: 'info',
    },
  });
  const logger = createLogger(config.logLevel, {
    write: (line: string) => void lines.push(JSON.parse(line) as LogLine),
  });
  hearth = await startHearth(config, { logger });
});

afterAll(async () => {
  await hearth?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The completion lines for one request id, once the response has finished on the server. */
async function completionLines(requestId: string): Promise<LogLine[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const found = lines.filter((line) => line.msg === 'request completed' && line.reqId === requestId);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return [];
}

describe('successful requests were logged only at debug: every request gets one line at the default level (docs/configuration.md)', () => {
  it.each([
    ['a successful Express route', 'GET', '/health', 200],
    ['a successful edge route', 'POST', '/api/auth/anonymous', 201],
    ['a 4xx on the edge', 'GET', '/api/collections/nope/records?filter=secret', 404],
    ['a 4xx through Express', 'GET', '/api/admin/keys', 401],
  ])(
    '%s (%s %s) logs exactly one info line with its request id, path and status',
    async (_, method, path, status) => {
      const requestId = `log-test-${Math.random().toString(36).slice(2)}`;
      const response = await fetch(`${hearth.url}${path}`, {
        method,
        headers: { 'x-request-id': requestId },
      });
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      const found = await completionLines(requestId);
      expect(found).toHaveLength(1);
      const [line] = found;
      expect(line?.level).toBe(status >= 500 ? ERROR : INFO);
      expect(line?.req).toEqual({ method, path: path.split('?')[0] });
      expect(line?.res).toEqual({ statusCode: status });
      expect(typeof line?.responseTime).toBe('number');
    },
  );
});
