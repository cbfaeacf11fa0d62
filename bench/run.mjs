// pnpm bench: starts PostgreSQL, Hearth and the raw baseline, drives each
// scenario against both with autocannon in the same run, and prints
// requests/s, p50, p99 and the ratio to the baseline. Ratios, not absolute
// numbers, are what to compare across machines.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { createLogger, startEmbeddedPostgres, temporaryDataDir } from '@hearth/server';
import { loadScenarios } from './scenarios.mjs';

const duration = Number(process.env.HEARTH_BENCH_DURATION ?? 10);
const connections = Number(process.env.HEARTH_BENCH_CONNECTIONS ?? 10);
const only = process.env.HEARTH_BENCH_ONLY;
// HEARTH_BENCH_PROFILE=<dir> writes V8 CPU profiles of Hearth's and the baseline's main threads to
// <dir>/hearth and <dir>/baseline (open them in Chrome DevTools, or summarise them with bench/profile-summary.mjs).
const profileDir = process.env.HEARTH_BENCH_PROFILE;
const root = fileURLToPath(new URL('..', import.meta.url));

function profileFlags(side) {
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, side)}`] : [];
}

function startChild(label, args, env, pattern) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`${label} exited with ${code}:\n${output}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function drive(url, request, seconds = duration) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        method: request.method ?? 'GET',
        headers: request.headers ?? {},
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.requests ? { requests: request.requests } : {}),
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** The shape of a JSON answer: its keys and value types, arrays by their first item. */
function shapeOf(value) {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, shapeOf(value[key])]),
  );
}

/**
 * One request to each side before the load: the baseline must answer with
 * the same status and the same fields as Hearth, or its numbers mean nothing.
 * Scenarios whose baseline answers another question (login) say `sameAnswer = false`.
 */
async function checkSameAnswer(scenario, plan) {
  if (scenario.sameAnswer === false) return;
  const answer = async (base, request) => {
    const response = await fetch(`${base}${request.path}`, {
      method: request.method ?? 'GET',
      headers: request.headers ?? {},
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    return { status: response.status, shape: JSON.stringify(shapeOf(await response.json())) };
  };
  const [h, b] = [await answer(hearth.url, plan.hearth), await answer(baseline.url, plan.baseline)];
  if (h.status !== b.status || h.shape !== b.shape) {
    throw new Error(
      `${scenario.name}: the baseline answers differently\n  hearth   ${h.status} ${h.shape}\n  baseline ${b.status} ${b.shape}`,
    );
  }
}

const ROUNDS = 3;

/** [CPU seconds (user + system), parent pid] of a process, from /proc; undefined off Linux. */
function processStat(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return [(Number(fields[11]) + Number(fields[12])) / 100, Number(fields[1])];
  } catch {
    return undefined;
  }
}

/** Read-like and write-like system calls a process has made (Linux /proc/<pid>/io), undefined elsewhere. */
function syscalls(pid) {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const count = (name) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1]);
    return { reads: count('syscr'), writes: count('syscw') };
  } catch {
    return undefined;
  }
}

function cpuSeconds(child) {
  return processStat(child.pid)?.[0];
}

/**
 * CPU seconds per process of the embedded PostgreSQL (postmaster and its
 * backends), so a scenario's database work shows up in its cost. Undefined
 * with an external database or off Linux.
 */
function databaseCpu() {
  const postmaster = postgres?.pid;
  if (postmaster === undefined) return undefined;
  const perProcess = new Map();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = processStat(entry);
      if (stat && (Number(entry) === postmaster || stat[1] === postmaster)) perProcess.set(entry, stat[0]);
    }
  } catch {
    return undefined;
  }
  return perProcess;
}

/** CPU the database used between two snapshots; a backend that exited in between counts for nothing. */
function databaseCpuBetween(before, after) {
  if (before === undefined || after === undefined) return undefined;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

function median(results) {
  const pick = (key) => [...results.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(results.length / 2)];
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    cpuMicros: pick('cpuMicros'),
    dbMicros: pick('dbMicros'),
    readCalls: pick('readCalls'),
    writeCalls: pick('writeCalls'),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

function summarise(result, cpuUsed, dbCpuUsed, callsBefore, callsAfter) {
  const perRequest = (seconds) =>
    seconds === undefined ? NaN : (seconds * 1e6) / Math.max(1, result.requests.total);
  const callsPerRequest = (key) =>
    callsBefore === undefined || callsAfter === undefined
      ? NaN
      : (callsAfter[key] - callsBefore[key]) / Math.max(1, result.requests.total);
  return {
    readCalls: callsPerRequest('reads'),
    writeCalls: callsPerRequest('writes'),
    cpuMicros: perRequest(cpuUsed),
    dbMicros: perRequest(dbCpuUsed),
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const dataDir = temporaryDataDir('hearth-bench-');
let postgres;
let databaseUrl = process.env.HEARTH_BENCH_DATABASE_URL;
if (!databaseUrl) {
  postgres = await startEmbeddedPostgres({ dataDir, logger: createLogger('warn') });
  databaseUrl = postgres.url;
}
const hearth = await startChild(
  'hearth',
  [...profileFlags('hearth'), 'packages/cli/dist/bin.js', 'start', '--port', '0', '--data-dir', dataDir],
  {
    HEARTH_DATABASE_URL: databaseUrl,
    HEARTH_LOG_LEVEL: 'warn',
    HEARTH_DATABASE_POOL_MAX: '10',
    // One user creates records as fast as it can: the write limit still runs (its cost is measured) but never refuses.
    HEARTH_WRITE_RATE_LIMIT_USER: '10000000',
    HEARTH_WRITE_RATE_LIMIT_IP: '10000000',
  },
  /Hearth is running at (\S+)/,
);
const baseline = await startChild(
  'baseline',
  [...profileFlags('baseline'), 'bench/baseline-server.mjs'],
  // The baseline trusts Hearth's signing keys (its JWKS) and checks the same storage folder.
  { BENCH_DATABASE_URL: databaseUrl, BENCH_HEARTH_URL: hearth.url, BENCH_DATA_DIR: dataDir },
  /listening at (\S+)/,
);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });

const rows = [];
try {
  for (const scenario of await loadScenarios()) {
    if (only && !scenario.file.includes(only)) continue;
    const plan = await scenario.prepare({ hearthUrl: hearth.url, baselineUrl: baseline.url, pool });
    process.stderr.write(`running: ${scenario.name}\n`);
    await checkSameAnswer(scenario, plan);
    // Each side gets a short warm-up so the JIT and the pools are hot.
    for (const [side, base] of [
      ['hearth', hearth.url],
      ['baseline', baseline.url],
    ]) {
      await drive(`${base}${plan[side].path}`, plan[side], Math.min(2, duration));
    }
    // Alternate the sides over several rounds so a burst of noise on this
    // shared machine hits both, then take each side's median round.
    const rounds = { hearth: [], baseline: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? ['hearth', 'baseline'] : ['baseline', 'hearth'];
      for (const side of order) {
        const server = side === 'hearth' ? hearth : baseline;
        const callsBefore = syscalls(server.child.pid);
        const before = cpuSeconds(server.child);
        const dbBefore = databaseCpu();
        const result = await drive(`${server.url}${plan[side].path}`, plan[side], duration / ROUNDS);
        const after = cpuSeconds(server.child);
        const callsAfter = syscalls(server.child.pid);
        const dbAfter = databaseCpu();
        rounds[side].push(
          summarise(
            result,
            before === undefined ? undefined : after - before,
            databaseCpuBetween(dbBefore, dbAfter),
            callsBefore,
            callsAfter,
          ),
        );
      }
    }
    rows.push({ scenario, hearth: median(rounds.hearth), baseline: median(rounds.baseline) });
    await plan.cleanup?.();
  }
} finally {
  await pool.end();
  await stop(hearth.child);
  await stop(baseline.child);
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const fmt = (n, digits = 0) => n.toFixed(digits);
// Server CPU plus the database's, when the bench's own PostgreSQL could be measured.
const cpuCell = (side) =>
  Number.isNaN(side.dbMicros) ? fmt(side.cpuMicros) : `${fmt(side.cpuMicros)} + ${fmt(side.dbMicros)}`;
const cpuTotal = (side) => side.cpuMicros + (Number.isNaN(side.dbMicros) ? 0 : side.dbMicros);
const lines = [
  `| scenario | hearth req/s | p50 ms | p99 ms | CPU µs/req (server + db) | baseline req/s | p50 ms | p99 ms | CPU µs/req (server + db) | ratio | CPU ratio | target |`,
  `|---|---|---|---|---|---|---|---|---|---|---|---|`,
];
let failedTarget = false;
for (const { scenario, hearth: h, baseline: b } of rows) {
  const ratio = h.rps / b.rps;
  const cpuRatio = cpuTotal(b) / cpuTotal(h);
  const target = scenario.target === undefined ? '–' : `≥ ${scenario.target}×`;
  // A target holds in both columns: throughput and CPU per request.
  const below = scenario.target !== undefined && (ratio < scenario.target || cpuRatio < scenario.target);
  if (below) failedTarget = true;
  const errors = h.errors + b.errors > 0 ? ` (errors: hearth ${h.errors}, baseline ${b.errors})` : '';
  lines.push(
    `| ${scenario.name}${errors} | ${fmt(h.rps)} | ${h.p50} | ${h.p99} | ${cpuCell(h)} | ${fmt(b.rps)} | ${b.p50} | ${b.p99} | ${cpuCell(b)} | ${fmt(ratio, 2)}× | ${fmt(cpuRatio, 2)}× | ${target}${below ? ' ✗' : ''} |`,
  );
}
process.stdout.write(
  `\n${connections} connections, ${duration} s per side in ${ROUNDS} alternating rounds (median shown), node ${process.version}\n\n${lines.join('\n')}\n`,
);
if (process.env.HEARTH_BENCH_SYSCALLS) {
  // System calls per request: on a small VM each costs far more than the JS around it.
  process.stdout.write(
    '\n| scenario | hearth reads + writes /req | baseline reads + writes /req |\n|---|---|---|\n',
  );
  for (const { scenario, hearth: h, baseline: b } of rows) {
    const calls = (side) => `${fmt(side.readCalls, 1)} + ${fmt(side.writeCalls, 1)}`;
    process.stdout.write(`| ${scenario.name} | ${calls(h)} | ${calls(b)} |\n`);
  }
}
if (failedTarget)
  process.stdout.write('\nSome scenarios (✗) are below their target in throughput or CPU per request.\n');
