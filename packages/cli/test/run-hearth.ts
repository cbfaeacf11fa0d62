import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: the tests run what users run. */
export const HEARTH_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(HEARTH_BIN))
    throw new Error(`${HEARTH_BIN} is missing: run \`pnpm build\` before the tests (pnpm test does)`);
}

export interface HearthRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: no HEARTH_ variables, CI markers or the
 * npm_* variables pnpm sets for the test run, and a private config dir so no
 * real login is read or written.
 */
export function userEnv(configHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('HEARTH_') || key === 'CI' || key === 'GITHUB_ACTIONS' || key === 'NO_COLOR') continue;
    if (key.toLowerCase().startsWith('npm_')) continue;
    env[key] = value;
  }
  return { ...env, XDG_CONFIG_HOME: configHome, HEARTH_LOG_LEVEL: 'warn', ...extra };
}

export async function tempDir(prefix = 'hearth-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function runHearth(
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; stdin?: string },
): Promise<HearthRun> {
  const child = spawn(process.execPath, [HEARTH_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
