import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { findFreePort } from '../lib/free-port.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { EmbeddedPostgresError } from './embedded-postgres-error.js';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  /** Connection string for the `hearth` database. */
  url: string;
  /** Connection string for the maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  /** The running postmaster's process id (its backends are its children); it changes when it is restarted. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number | undefined;
  logger: Logger;
  database?: string;
  /** How long PostgreSQL may take to start. */
  startTimeoutMs?: number;
}

/** Delay before the n-th attempt (from 0) to restart a postmaster that died: 250 ms doubling, at most 10 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** attempt);
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const binaries = (await import(name)) as Binaries;
    return { initdb: binaries.initdb, postgres: binaries.postgres };
  } catch {
    throw new EmbeddedPostgresError(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${name} is not installed); set HEARTH_DATABASE_URL to an external PostgreSQL`,
    );
  }
}

interface RunAs {
  uid: number;
  gid: number;
  user: string;
}

/** PostgreSQL refuses to run as root, so root runs it as an unprivileged user. */
async function resolveRunAs(logger: Logger): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'hearth']) {
    try {
      const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
        run('id', ['-u', user]),
        run('id', ['-g', user]),
      ]);
      return { uid: Number(uid.trim()), gid: Number(gid.trim()), user };
    } catch {
      // try the next candidate
    }
  }
  try {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'hearth',
    ]);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `running as root and could not create the unprivileged user "hearth" for PostgreSQL (${(error as Error).message.split('\n')[0]})`,
    );
  }
  logger.info('created system user "hearth" to run the embedded PostgreSQL');
  return resolveRunAs(logger);
}

/** Proves the unprivileged user can reach a path before PostgreSQL fails obscurely. */
async function assertReachable(runAs: RunAs, path: string, test: '-w' | '-x'): Promise<void> {
  try {
    await run('/bin/sh', ['-c', `test ${test} "$1"`, 'sh', path], { uid: runAs.uid, gid: runAs.gid });
  } catch {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL runs as user "${runAs.user}", who cannot reach ${path}; make its parent directories traversable (chmod o+x) or choose another data dir`,
    );
  }
}

async function chownTree(path: string, runAs: RunAs): Promise<void> {
  await chown(path, runAs.uid, runAs.gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, runAs);
    else await chown(child, runAs.uid, runAs.gid);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

async function initCluster(binaries: Binaries, pgDir: string, password: string, runAs: RunAs | undefined) {
  const pwFile = join(pgDir, '..', `.pwfile-${randomBytes(6).toString('hex')}`);
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chown(pwFile, runAs.uid, runAs.gid);
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${pgDir}`,
        '--username=postgres',
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}), env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new EmbeddedPostgresError(`initdb failed: ${stderr.trim().split('\n').slice(-1)[0]}`);
  } finally {
    await rm(pwFile, { force: true });
  }
}

/** Stops a postmaster left running by a Hearth that crashed. */
async function stopOrphanPostmaster(pgDir: string, logger: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale pid file; PostgreSQL cleans it up itself
  }
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier Hearth');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    } catch {
      return;
    }
  }
  throw new EmbeddedPostgresError(`an earlier embedded PostgreSQL (pid ${pid}) in ${pgDir} did not stop`);
}

type StartOutcome = { ok: true; child: ChildProcess } | { ok: false; portInUse: boolean; reason: string };

function startPostmaster(
  binaries: Binaries,
  pgDir: string,
  port: number,
  runAs: RunAs | undefined,
  logger: Logger,
  timeoutMs: number,
): Promise<StartOutcome> {
  return new Promise((resolvePromise) => {
    const child = spawn(
      binaries.postgres,
      ['-D', pgDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      {
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'ignore', 'pipe'],
        // Its own session, so Ctrl-C in a terminal (SIGINT to the whole foreground process group)
        // reaches only Hearth, which then stops PostgreSQL itself, after its own connections.
        detached: true,
      },
    );
    let settled = false;
    let output = '';
    const finish = (outcome: StartOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(outcome);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, portInUse: false, reason: `did not start within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (!settled) output = (output + chunk).slice(-4000);
      for (const line of chunk.split('\n')) if (line.trim()) logger.debug({ postgres: line.trim() });
      if (chunk.includes('database system is ready to accept connections')) finish({ ok: true, child });
    });
    child.on('error', (error) => finish({ ok: false, portInUse: false, reason: error.message }));
    child.on('exit', (code) => {
      const lastError = output
        .split('\n')
        .filter((line) => /FATAL|ERROR/.test(line))
        .pop();
      finish({
        ok: false,
        portInUse: /could not bind|Address already in use/.test(output),
        reason: lastError?.replace(/^.*?(FATAL|ERROR):\s*/, '') ?? `exited with code ${code}`,
      });
    });
  });
}

function stopPostmaster(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGQUIT'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, then stop cleanly.
    child.kill('SIGINT');
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * Starts PostgreSQL from the npm-shipped binaries with its cluster in
 * `<dataDir>/postgres`, creating the cluster on first start. The data dir is
 * locked so a second Hearth cannot share it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger } = options;
  const dataDir = resolve(options.dataDir);
  const pgDir = join(dataDir, 'postgres');
  const database = options.database ?? 'hearth';
  await mkdir(dataDir, { recursive: true });
  const lock: DataDirLock = await acquireDataDirLock(dataDir);
  try {
    const binaries = await loadBinaries();
    const runAs = await resolveRunAs(logger);
    const password = await readOrCreatePassword(join(dataDir, 'postgres-password'));
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    await chmod(pgDir, 0o700);
    if (runAs) {
      // The unprivileged user must traverse the data dir (not list it) to reach its cluster.
      const mode = (await stat(dataDir)).mode & 0o777;
      if ((mode & 0o001) === 0) await chmod(dataDir, mode | 0o001);
      await chownTree(pgDir, runAs);
      await assertReachable(runAs, pgDir, '-w');
      await assertReachable(runAs, binaries.postgres, '-x');
    }

    if (!(await exists(join(pgDir, 'PG_VERSION')))) {
      logger.info({ dir: pgDir }, 'creating the embedded PostgreSQL cluster');
      await initCluster(binaries, pgDir, password, runAs);
    }
    await stopOrphanPostmaster(pgDir, logger);

    let child: ChildProcess | undefined;
    let port = 0;
    for (let attempt = 0; attempt < 5 && !child; attempt += 1) {
      port = options.port ?? (await findFreePort());
      const outcome = await startPostmaster(
        binaries,
        pgDir,
        port,
        runAs,
        logger,
        options.startTimeoutMs ?? 60_000,
      );
      if (outcome.ok) child = outcome.child;
      else if (!outcome.portInUse || options.port !== undefined) {
        throw new EmbeddedPostgresError(`embedded PostgreSQL failed to start: ${outcome.reason}`);
      }
    }
    if (!child) throw new EmbeddedPostgresError('embedded PostgreSQL found no free port');
    const postmaster = child;

    const credentials = `postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    const adminUrl = `postgres://${credentials}/postgres`;
    const url = `postgres://${credentials}/${encodeURIComponent(database)}`;
    try {
      await ensureDatabase(adminUrl, database);
    } catch (error) {
      await stopPostmaster(postmaster);
      throw error;
    }
    logger.info({ port, dir: pgDir }, 'embedded PostgreSQL is ready');

    // Supervision: a postmaster that dies while Hearth runs (killed, OOM, crashed) is started
    // again on the same port, with backoff, so the pool reconnects by itself. Meanwhile requests
    // answer 503 db/unavailable. PostgreSQL replays its WAL, so committed writes survive.
    let current = postmaster;
    let stopping: Promise<void> | undefined;
    let restarting: Promise<void> | undefined;
    const startTimeoutMs = options.startTimeoutMs ?? 60_000;
    const restart = async () => {
      for (let attempt = 0; !stopping; attempt += 1) {
        await new Promise((r) => setTimeout(r, restartDelayMs(attempt)));
        if (stopping) return;
        const outcome = await startPostmaster(binaries, pgDir, port, runAs, logger, startTimeoutMs);
        if (outcome.ok) {
          current = outcome.child;
          supervise(current);
          logger.info({ port, attempt: attempt + 1 }, 'embedded PostgreSQL restarted');
          return;
        }
        logger.warn(
          { reason: outcome.reason, attempt: attempt + 1 },
          'embedded PostgreSQL did not restart yet',
        );
      }
    };
    const supervise = (child: ChildProcess) => {
      child.once('exit', (code, signal) => {
        if (stopping) return;
        if (code === 0) {
          // A clean shutdown someone asked for (pg_ctl stop, a SIGINT to the process group):
          // not a crash to undo. /health fails after HEARTH_HEALTH_GRACE_SECONDS if Hearth stays up.
          logger.info('embedded PostgreSQL was shut down from outside Hearth; not restarting it');
          return;
        }
        logger.error({ code, signal }, 'embedded PostgreSQL exited unexpectedly; restarting it');
        restarting = restart().finally(() => {
          restarting = undefined;
        });
      });
    };
    supervise(postmaster);

    return {
      url,
      adminUrl,
      port,
      get pid() {
        return current.pid;
      },
      stop() {
        stopping ??= (async () => {
          await restarting;
          await stopPostmaster(current);
        })().finally(() => lock.release());
        return stopping;
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** A throwaway data dir under the OS temp dir, reachable by an unprivileged user. */
export function temporaryDataDir(prefix = 'hearth-'): string {
  return join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`);
}
