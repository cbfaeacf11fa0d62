import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, userEnv } from './run-hearth.js';

/**
 * What a new user gets from npm: every published package is packed as
 * `pnpm publish` would pack it, the tarballs are installed with `npm install`
 * into an empty project (third-party dependencies from the registry, or npm's
 * cache), and the CLI, the server with its dashboard, the SDK and the JSON
 * Schema are used from there, outside this repository.
 */

const run = promisify(execFile);
/** The packages a user installs; any other workspace package must be private. */
const PUBLISHED = ['@hearth/cli', '@hearth/client', '@hearth/dashboard', '@hearth/schema', '@hearth/server'];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
}

let work: string;
let project: string;
let env: NodeJS.ProcessEnv;
const tarballs = new Map<string, string>();
const children: ChildProcess[] = [];

async function workspaceManifests(): Promise<{ dir: string; manifest: Manifest }[]> {
  const packages = join(REPO_ROOT, 'packages');
  const dirs = (await readdir(packages)).map((name) => join(packages, name));
  return Promise.all(
    dirs.map(async (dir) => ({
      dir,
      manifest: JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest,
    })),
  );
}

async function packedManifest(name: string): Promise<string> {
  const { stdout } = await run('tar', ['-xOzf', tarballs.get(name) as string, 'package/package.json']);
  return stdout;
}

/** A command in the project, as the user would type it there. */
function inProject(command: string, args: string[], timeout = 60_000) {
  return run(command, args, { cwd: project, env, timeout });
}

beforeAll(async () => {
  work = await tempDir('hearth-publish-');
  project = join(work, 'app');
  await mkdir(project);
  // A user's project dir is traversable; as root the embedded PostgreSQL runs as another user.
  await chmod(work, 0o755);
  await chmod(project, 0o755);
  env = userEnv(join(work, 'config'), {
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  });

  const published = (await workspaceManifests()).filter(({ manifest }) => !manifest.private);
  expect(published.map(({ manifest }) => manifest.name).sort()).toEqual(PUBLISHED);
  const packs = join(work, 'tarballs');
  await Promise.all(
    published.map(async ({ dir, manifest }) => {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', packs], { cwd: dir, env });
      const tarball = stdout.trim().split('\n').pop() as string;
      expect(existsSync(tarball), `${manifest.name} packed to ${tarball}`).toBe(true);
      tarballs.set(manifest.name, tarball);
    }),
  );

  await writeFile(
    join(project, 'package.json'),
    '{ "name": "try-hearth", "private": true, "type": "module" }\n',
  );
  await run('npm', ['install', '--prefer-offline', ...tarballs.values()], {
    cwd: project,
    env,
    timeout: 240_000,
  });
}, 300_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null && child.pid)
      process.kill(-child.pid, 'SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packages as npm installs them (npx hearth and pnpm exec hearth failed)', () => {
  it('packs no workspace: ranges and no build bookkeeping', async () => {
    for (const name of PUBLISHED) {
      expect(await packedManifest(name), name).not.toContain('workspace:');
      const { stdout } = await run('tar', ['-tzf', tarballs.get(name) as string]);
      expect(stdout, name).not.toMatch(/tsbuildinfo|build-inputs/);
      expect(stdout, name).not.toMatch(/\.test\.(js|d\.ts)/);
    }
  });

  it('npx hearth --version prints the version of the installed @hearth/cli', async () => {
    const cli = JSON.parse(await packedManifest('@hearth/cli')) as Manifest;
    const { stdout } = await inProject('npx', ['hearth', '--version']);
    expect(stdout.trim()).toBe(cli.version);
  });

  it('npx hearth start serves /ready and the dashboard on the embedded database, and stops on SIGTERM', async () => {
    const dataDir = join(work, 'data');
    // Its own process group, so SIGTERM reaches hearth under npx's shell too, as Ctrl-C would.
    const child = spawn('npx', ['hearth', 'start', '--port', '0', '--data-dir', dataDir], {
      cwd: project,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`hearth start printed no URL:\n${output}`)), 90_000);
      child.stdout.on('data', () => {
        const match = /Hearth is running at (\S+)/.exec(output);
        if (!match?.[1]) return;
        clearTimeout(timer);
        done(match[1]);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        fail(new Error(`exited ${code}:\n${output}`));
      });
    });

    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    const page = await fetch(`${url}/_/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/_\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, 'the page loads its bundle').toBeDefined();
    const bundle = await fetch(`${url}${script}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);

    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  }, 120_000);

  it('imports @hearth/client as an ES module in Node, with its types', async () => {
    const { stdout } = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      `import { createClient } from '@hearth/client';
       const hearth = createClient('http://127.0.0.1:8090');
       console.log(JSON.stringify({ createClient: typeof createClient, collection: typeof hearth.collection, auth: typeof hearth.auth.signIn }));`,
    ]);
    expect(JSON.parse(stdout)).toEqual({
      createClient: 'function',
      collection: 'function',
      auth: 'function',
    });
    expect(existsSync(join(project, 'node_modules/@hearth/client/dist/index.d.ts'))).toBe(true);
  });

  it('hearth init points "$schema" at the installed JSON Schema, which validates the document', async () => {
    await inProject('npx', ['hearth', 'init']);
    const document = JSON.parse(await readFile(join(project, 'hearth.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const pointer = resolve(project, document.$schema as string);
    expect(existsSync(pointer), `${String(document.$schema)} exists in the project`).toBe(true);
    // The same file through the package's exports, as a tool would look it up.
    const { stdout: exported } = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      `console.log(new URL(import.meta.resolve('@hearth/schema/hearth.schema.schema.json')).pathname)`,
    ]);
    expect(exported.trim()).toBe(pointer);

    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(await readFile(pointer, 'utf8')));
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...document, colections: {} }), 'an unknown key is refused').toBe(false);
    const { stdout } = await inProject('npx', ['hearth', 'schema', 'validate', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });

    // A schema in a subfolder of the project points up to the same file.
    await inProject('npx', ['hearth', 'init', '--dir', 'backend']);
    const nested = JSON.parse(await readFile(join(project, 'backend/hearth.schema.json'), 'utf8')) as {
      $schema: string;
    };
    expect(nested.$schema).toBe('../node_modules/@hearth/schema/hearth.schema.schema.json');
    expect(resolve(project, 'backend', nested.$schema)).toBe(pointer);
  });
});
