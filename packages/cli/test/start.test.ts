import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, temporaryDataDir } from '@hearth/server';
import { TEST_PASSWORD, createTestDatabase } from '@hearth/testkit';
import { runHearth, tempDir, userEnv } from './run-hearth.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dataDir = temporaryDataDir('hearth-cli-start-');
const children: ChildProcess[] = [];

/** The environment a user would have: no HEARTH_ variables leaking in from the test run. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('HEARTH_')) env[key] = value;
  return { ...env, HEARTH_LOG_LEVEL: 'warn', ...extra };
}

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
}

/**
 * `hearth start` as a child. With `ownGroup` it leads its own process group,
 * as a command in a terminal does, so a test can signal the whole group the
 * way Ctrl-C does.
 */
function startHearth(args: string[], env = cleanEnv(), ownGroup = false): Promise<Started> {
  const child = spawn(process.execPath, [bin, 'start', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownGroup,
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed in time; stderr: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Hearth is running at (\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stdout: () => stdout, stderr: () => stderr });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

function runToExit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null) return Promise.resolve({ code: child.exitCode, signal: null });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

/** A process's group id, from /proc (Linux) or ps. */
function processGroupOf(pid: number): number {
  if (existsSync(`/proc/${pid}/stat`)) {
    // pid (comm) state ppid pgrp …; comm may hold spaces, so count from its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  }
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error(`${bin} is missing: run \`pnpm build\` before the tests (pnpm test does)`);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('hearth start on the embedded default', () => {
  it('answers /health and /ready, prints a setup link, and exits 0 on SIGTERM within 10 s', async () => {
    const hearth = await startHearth(['--port', '0', '--data-dir', dataDir]);
    expect(hearth.stdout()).toMatch(/one-time link:\s+http:\/\/127\.0\.0\.1:\d+\/_\/setup\?token=[\w-]{20,}/);
    expect((await fetch(`${hearth.url}/health`)).status).toBe(200);
    const ready = await fetch(`${hearth.url}/ready`);
    expect(ready.status).toBe(200);
    expect(existsSync(`${dataDir}/postgres/PG_VERSION`)).toBe(true);

    // A request in flight when SIGTERM arrives still completes.
    const inFlight = fetch(`${hearth.url}/ready`);
    const started = Date.now();
    hearth.child.kill('SIGTERM');
    expect((await inFlight).status).toBe(200);
    const { code } = await exitOf(hearth.child);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(`${dataDir}/hearth.lock`)).toBe(false);
    expect(existsSync(`${dataDir}/postgres/postmaster.pid`)).toBe(false);
  });

  it('reuses the data dir on the second run and exits 0 on SIGINT', async () => {
    const hearth = await startHearth(['--port', '0', '--data-dir', dataDir]);
    expect((await fetch(`${hearth.url}/ready`)).status).toBe(200);
    // Same cluster: the setup token generated on the first run is still the one offered.
    expect(hearth.stdout()).toMatch(/setup\?token=/);

    const second = await runToExit(['start', '--port', '0', '--data-dir', dataDir], cleanEnv());
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toMatch(/^hearth: the data dir .* is in use by another Hearth \(pid \d+\)/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);

    hearth.child.kill('SIGINT');
    expect((await exitOf(hearth.child)).code).toBe(0);
  });

  it('keeps data across restarts', async () => {
    const first = await startHearth(['--port', '0', '--data-dir', dataDir]);
    const tokenA = /token=([\w-]+)/.exec(first.stdout())?.[1];
    first.child.kill('SIGTERM');
    await exitOf(first.child);
    const second = await startHearth(['--port', '0', '--data-dir', dataDir]);
    const tokenB = /token=([\w-]+)/.exec(second.stdout())?.[1];
    expect(tokenA).toBeDefined();
    expect(tokenB).toBe(tokenA);
    second.child.kill('SIGTERM');
    expect((await exitOf(second.child)).code).toBe(0);
  });
});

describe('Ctrl-C in a terminal (SIGINT to the whole process group)', () => {
  it('ends with one calm line and exit 0: the embedded PostgreSQL is not interrupted under Hearth (4 KB stack trace)', async () => {
    // The documented default level, where the old warnings showed.
    const hearth = await startHearth(
      ['--port', '0', '--data-dir', dataDir],
      cleanEnv({ HEARTH_LOG_LEVEL: 'info' }),
      true,
    );
    // Connections in the pool, as after any use: PostgreSQL killing them was the stack trace.
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${hearth.url}/ready`)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    // Their log lines come before the signal, not at shutdown.
    while (hearth.stdout().split('"request completed"').length < 5)
      await new Promise((r) => setTimeout(r, 20));
    const before = { stdout: hearth.stdout().length, stderr: hearth.stderr().length };

    // The root cause, checked directly: the postmaster is outside the group a terminal signals.
    const postmaster = Number((await readFile(`${dataDir}/postgres/postmaster.pid`, 'utf8')).split('\n')[0]);
    expect(processGroupOf(postmaster)).not.toBe(hearth.child.pid);

    process.kill(-hearth.child.pid!, 'SIGINT');
    const { code, signal } = await exitOf(hearth.child);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const atShutdown = hearth.stdout().slice(before.stdout) + hearth.stderr().slice(before.stderr);
    expect(atShutdown).toBe('Stopping Hearth (SIGINT)\n');
    expect(existsSync(`${dataDir}/postgres/postmaster.pid`)).toBe(false);
  });

  it('under pnpm, a package script that execs hearth start also exits 0 on Ctrl-C', async () => {
    // dash, pnpm's script shell on Debian, does not exec a script's last command, and dies of the
    // terminal's SIGINT itself (pnpm then exits 130); `exec` hands the signal to Hearth alone.
    const project = await tempDir('hearth-cli-pnpm-');
    try {
      const script = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} start --port 0 --data-dir ${JSON.stringify(dataDir)}`;
      await writeFile(
        `${project}/package.json`,
        JSON.stringify({ name: 'ctrl-c-under-pnpm', private: true, scripts: { start: script } }),
      );
      const child = spawn('pnpm', ['--silent', 'start'], {
        cwd: project,
        env: cleanEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.push(child);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      while (!/Hearth is running at/.test(output) && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      const before = output.length;
      process.kill(-child.pid!, 'SIGINT');
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(output.slice(before)).toBe('Stopping Hearth (SIGINT)\n');
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});

describe('a port already in use (found only after a new database cluster was created)', () => {
  it('is refused first, in one line, with a non-zero exit and nothing written to the data dir', async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const freshDir = temporaryDataDir('hearth-cli-port-');
    try {
      const { code, stderr } = await runToExit(
        ['start', '--port', String(port), '--data-dir', freshDir],
        cleanEnv({ HEARTH_LOG_LEVEL: 'info' }),
      );
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        `hearth: port ${port} on 127.0.0.1 is already in use; stop what uses it, or choose another with --port`,
      ]);
      expect(existsSync(freshDir)).toBe(false);
    } finally {
      blocker.close();
      await rm(freshDir, { recursive: true, force: true });
    }
  });
});

describe('hearth admin create while hearth start holds the embedded database', () => {
  it('suggests the setup link only while it works, and never a spent one', async () => {
    const port = await findFreePort();
    const ownDir = temporaryDataDir('hearth-cli-admin-busy-');
    const configHome = await tempDir();
    try {
      const hearth = await startHearth(['--port', String(port), '--data-dir', ownDir]);
      const adminCreate = () =>
        runHearth(['admin', 'create', '--email', 'second@example.test', '--data-dir', ownDir], {
          env: userEnv(configHome, { HEARTH_PORT: String(port) }),
          stdin: TEST_PASSWORD,
        });

      const before = await adminCreate();
      expect(before.code).toBe(1);
      expect(before.stderr.trim().split('\n')).toHaveLength(1);
      expect(before.stderr).toMatch(
        /is in use by another Hearth .*or use --setup-token with the link it printed$/m,
      );

      const token = /setup\?token=([\w-]+)/.exec(hearth.stdout())?.[1];
      const setup = await fetch(`${hearth.url}/api/admin/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, email: 'first@example.test', password: TEST_PASSWORD }),
      });
      expect(setup.status).toBe(201);

      const after = await adminCreate();
      expect(after.code).toBe(1);
      expect(after.stderr.trim().split('\n')).toHaveLength(1);
      expect(after.stderr).not.toMatch(/setup-token|setup link/);
      expect(after.stderr).toContain(
        'run `hearth users create --email second@example.test --role admin --password`',
      );

      hearth.child.kill('SIGTERM');
      expect((await exitOf(hearth.child)).code).toBe(0);
    } finally {
      await rm(ownDir, { recursive: true, force: true });
      await rm(configHome, { recursive: true, force: true });
    }
  });
});

describe('hearth start with bad configuration exits non-zero with one clear line', () => {
  it.each([
    [{ HEARTH_PORT: 'eighty' }, [], /^hearth: config error: HEARTH_PORT: must be a whole number/],
    [
      { HEARTH_DATABASE_URL: 'postgres//missing-colon' },
      [],
      /^hearth: config error: HEARTH_DATABASE_URL: must be a URL/,
    ],
    [{ HEARTH_UNKNOWN_THING: '1' }, [], /^hearth: config error: HEARTH_UNKNOWN_THING: unknown variable/],
    [{}, ['--port', 'x'], /^hearth: config error: --port: must be a whole number/],
    [
      { HEARTH_ENCRYPTION_KEY: 'hunter2' },
      [],
      /^hearth: config error: HEARTH_ENCRYPTION_KEY: must be 32 bytes in base64 or base64url/,
    ],
  ])('%j %j', async (env, args, pattern) => {
    const { code, stderr } = await runToExit(['start', ...args], cleanEnv(env));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });
});

describe('hearth start with HEARTH_ENCRYPTION_KEY', () => {
  it('refuses, in one line, to start without the key that encrypted the stored secrets', async () => {
    const database = await createTestDatabase();
    try {
      const key = randomBytes(32).toString('base64');
      const env = { HEARTH_DATABASE_URL: database.url, HEARTH_DATA_DIR: dataDir };
      const first = await startHearth(['--port', '0'], cleanEnv({ ...env, HEARTH_ENCRYPTION_KEY: key }));
      first.child.kill('SIGTERM');
      expect((await exitOf(first.child)).code).toBe(0);

      const { code, stderr } = await runToExit(['start', '--port', '0'], cleanEnv(env));
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^hearth: config error: HEARTH_ENCRYPTION_KEY: stored secrets encrypted with key [0-9a-f]{8} cannot be opened .*HEARTH_ENCRYPTION_KEY is not set/,
      );
      expect(lines[0]).not.toContain(key);
    } finally {
      await database.drop();
    }
  });
});
