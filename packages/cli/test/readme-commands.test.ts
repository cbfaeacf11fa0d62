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

/** The commands of the README's first code block, one a line, comments removed. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /^```sh\n([\s\S]*?)\n```/m.exec(readme)?.[1] ?? '';
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
}

describe("the README's first two commands", () => {
  it('are an install and a start, then an install and a test', async () => {
    const steps = (await readmeCommands()).map((line) => line.split('&&').map((step) => step.trim()));
    expect(steps.map((line) => line.map((step) => step.split(' ').pop()))).toEqual([
      ['install', 'start'],
      ['install', 'test'],
    ]);
  });

  it('run with no terminal (npx canceled due to missing packages and no YES option)', async () => {
    const runners = new Set(
      (await readmeCommands()).flatMap((line) =>
        line.split('&&').map((step) => step.trim().split(' ').slice(0, -1).join(' ')),
      ),
    );
    expect([...runners]).toEqual(['npx --yes pnpm@10']);
    for (const runner of runners) {
      // An empty npm cache and global prefix, so npx has to fetch pnpm as on a new machine, with no stdin.
      const home = await tempDir('hearth-readme-npx-');
      cleanup.push(home);
      const [command, ...args] = runner.split(' ');
      const env = userEnv(join(home, 'config'), {
        npm_config_cache: join(home, 'cache'),
        npm_config_prefix: join(home, 'prefix'),
        npm_config_update_notifier: 'false',
      });
      const { stdout, stderr } = await run(command as string, [...args, '--version'], {
        cwd: REPO_ROOT,
        env,
        timeout: 120_000,
      });
      expect(stdout.trim()).toMatch(/^10\.\d+\.\d+$/);
      // Nothing of ours to warn about either (npm read the repository's .npmrc and warned about its keys).
      expect(stderr).not.toMatch(/warn/i);
    }
  }, 150_000);
});
