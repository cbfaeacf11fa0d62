// Readiness: Hearth's GET /ready (a SELECT 1 through its pool and the storage
// folder check, each timed, through the full HTTP stack) against a raw route
// doing the same two checks and answering the same fields.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export const name = 'readiness (GET /ready)';
export const target = 0.8;

let storage;

async function timed(check) {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: String(error) };
  }
}

export const baselineRoutes = [
  {
    method: 'GET',
    path: /^\/ready$/,
    async handle({ pool }) {
      const dir = join(process.env.BENCH_DATA_DIR, 'storage');
      storage ??= mkdir(dir, { recursive: true });
      const [database, files] = await Promise.all([
        timed(() => pool.query({ name: 'ready', text: 'SELECT 1' })),
        timed(async () => {
          await storage;
          await access(dir, constants.W_OK);
        }),
      ]);
      const ok = database.ok && files.ok;
      return {
        status: ok ? 200 : 503,
        json: { status: ok ? 'ok' : 'not-ready', checks: { database, storage: files } },
      };
    },
  },
];

export async function prepare() {
  return { hearth: { path: '/ready' }, baseline: { path: '/ready' } };
}
