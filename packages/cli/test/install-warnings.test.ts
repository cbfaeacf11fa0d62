import { execFile } from 'node:child_process';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, userEnv } from './run-hearth.js';

const run = promisify(execFile);
let copy: string | undefined;

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

/**
 * A fresh clone's install, as CI and a new user run it, on a copy of the
 * workspace's manifests (no builds, no node_modules), from pnpm's store.
 */
it('pnpm install prints no warnings (a cyclic workspace dependency, "Failed to create bin")', async () => {
  copy = await tempDir('hearth-install-');
  const { stdout: tracked } = await run(
    'git',
    ['ls-files', '--', 'package.json', '**/package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', '.npmrc'],
    { cwd: REPO_ROOT },
  );
  for (const file of tracked.split('\n').filter(Boolean)) {
    await mkdir(dirname(join(copy, file)), { recursive: true });
    await cp(join(REPO_ROOT, file), join(copy, file));
  }
  const env = userEnv(join(copy, '.config'), { CI: 'true' });
  const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
    execFile(
      'pnpm',
      ['install', '--frozen-lockfile', '--offline'],
      { cwd: copy, env, timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  expect(code, output).toBe(0);
  expect(output.split('\n').filter((line) => /^\s*WARN\b|npm warn/i.test(line))).toEqual([]);
}, 150_000);
