import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, userEnv } from './run-hearth.js';

let work: string | undefined;

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/**
 * `pnpm start` in a terminal, as the README runs it: `script` gives it a
 * pseudo-terminal, and the Ctrl-C typed into it reaches the whole foreground
 * process group (pnpm, the shell pnpm runs the script in, hearth), as a
 * keyboard's would. `script -e` exits with pnpm's exit code.
 *
 * pnpm gets the SIGINT too. Usually it waits for hearth and passes on its 0;
 * on a loaded machine it sometimes exits 130 on its own first (the usual code
 * for a Ctrl-C, docs/quickstart.md). Either way hearth must have stopped
 * cleanly, its database included, and pnpm must not report a failed script.
 */
it('Ctrl-C under pnpm start stops hearth and its database cleanly, without ELIFECYCLE', async () => {
  work = await tempDir('hearth-ctrl-c-');
  await chmod(work, 0o755); // as root, the embedded PostgreSQL runs as another user
  const command = `pnpm start --port 0 --data-dir ${join(work, 'data')}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: userEnv(join(work, 'config')),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`pnpm start printed no URL:\n${output}`)), 90_000);
      child.stdout.on('data', () => {
        if (!output.includes('Hearth is running at')) return;
        clearTimeout(timer);
        done();
      });
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`pnpm start exited ${code} before it was running:\n${output}`));
      });
    });
    child.stdin.write('\x03');
    expect([0, 130], output).toContain(await exited);
    expect(output).not.toContain('ELIFECYCLE');
    expect(output).toContain('Stopping Hearth (SIGINT)');
    // pnpm may be gone before hearth: wait for the embedded PostgreSQL to remove its pid file.
    const pidFiles = async () =>
      (await readdir(join(work!, 'data'), { recursive: true })).filter((f) => f.endsWith('postmaster.pid'));
    const until = Date.now() + 30_000;
    while ((await pidFiles()).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await pidFiles()).toEqual([]);
    expect(existsSync(join(work, 'data'))).toBe(true);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 120_000);
