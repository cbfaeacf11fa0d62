import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, userEnv } from './run-hearth.js';

const run = promisify(execFile);
const cleanup: string[] = [];

afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function pnpmHearth(args: string[], cwd: string) {
  const config = await tempDir('hearth-script-');
  cleanup.push(config);
  return run('pnpm', ['-s', 'hearth', ...args], { cwd, env: userEnv(config), timeout: 120_000 });
}

describe('pnpm hearth in a clone (npx hearth and pnpm exec hearth failed there)', () => {
  it('runs the CLI of the workspace', async () => {
    const cli = JSON.parse(await readFile(join(REPO_ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    const { stdout } = await pnpmHearth(['--version'], REPO_ROOT);
    expect(stdout.trim()).toBe(cli.version);
  }, 150_000);

  it('runs in the directory it was typed in, not the workspace root', async () => {
    const { stdout } = await pnpmHearth(['schema', 'validate', '--json'], join(REPO_ROOT, 'examples/todo'));
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      file: expect.stringMatching(/hearth\.schema\.json$/),
    });
  }, 150_000);
});
