import { spawn } from 'node:child_process';
import { chmod, rm } from 'node:fs/promises';
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
 */
it("Ctrl-C under pnpm start ends with hearth's exit code, not ELIFECYCLE and 130", async () => {
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
    expect(await exited, output).toBe(0);
    expect(output).not.toContain('ELIFECYCLE');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 120_000);
