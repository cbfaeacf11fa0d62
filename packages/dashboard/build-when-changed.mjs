// `pnpm build` for the dashboard: runs `vite build` only when an input changed
// since the last build, so a start with nothing changed does not wait for it.
// The inputs are hashed by content (not by time, which a checkout changes),
// and the hash is written into dist/ after a build that succeeded.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboard = fileURLToPath(new URL('.', import.meta.url));
const workspace = join(dashboard, '../..');
/** Everything the bundle is made from: its own sources, @hearth/client's sources (bundled from TypeScript), and the locked versions. */
const INPUTS = [
  'packages/dashboard/index.html',
  'packages/dashboard/vite.config.ts',
  'packages/dashboard/package.json',
  'packages/dashboard/src',
  'packages/client/package.json',
  'packages/client/src',
  'pnpm-lock.yaml',
];
const STAMP_FILE = join(dashboard, 'dist', '.build-inputs.sha256');

function* filesUnder(path) {
  if (!statSync(path).isDirectory()) return yield path;
  for (const name of readdirSync(path).sort()) yield* filesUnder(join(path, name));
}

function hashInputs() {
  const hash = createHash('sha256');
  for (const input of INPUTS)
    for (const file of filesUnder(join(workspace, input)))
      hash
        .update(`${relative(workspace, file)}\0`)
        .update(readFileSync(file))
        .update('\0');
  return hash.digest('hex');
}

const digest = hashInputs();
const built = existsSync(join(dashboard, 'dist', 'index.html')) && existsSync(STAMP_FILE);
if (built && readFileSync(STAMP_FILE, 'utf8') === digest && !process.argv.includes('--force')) {
  console.log('dashboard: inputs unchanged since the last build, vite build skipped');
} else {
  const { build } = await import('vite'); // only now: loading Vite alone takes a while
  await build({ root: dashboard });
  writeFileSync(STAMP_FILE, digest);
}
