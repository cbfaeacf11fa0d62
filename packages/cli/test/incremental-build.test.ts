import { execFile } from 'node:child_process';
import { appendFile, cp, mkdir, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from './run-hearth.js';

/**
 * `pnpm start` builds first. These run the same build steps on a copy of two
 * packages (the workspace's own dist/ is what the other tests run), so that
 * an edit can be made without touching the real sources.
 */

const run = promisify(execFile);
let copy: string;

/** Copies a workspace path into the copy, and links node_modules back to the real ones. */
async function copyIn(path: string): Promise<void> {
  await mkdir(dirname(join(copy, path)), { recursive: true });
  await cp(join(REPO_ROOT, path), join(copy, path), {
    recursive: true,
    filter: (src) => !/\/(dist|node_modules)$/.test(src),
  });
}

beforeAll(async () => {
  copy = await tempDir('hearth-build-');
  for (const path of ['tsconfig.base.json', 'pnpm-lock.yaml', 'packages/client', 'packages/dashboard'])
    await copyIn(path);
  for (const dir of ['', 'packages/client', 'packages/dashboard'])
    await symlink(join(REPO_ROOT, dir, 'node_modules'), join(copy, dir, 'node_modules'));
});

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe('the build behind pnpm start (it rebuilt everything on every start)', () => {
  const client = () => join(copy, 'packages/client');
  /** The package's own build script, as pnpm would run it. */
  const compile = async () => {
    const manifest = JSON.parse(await readFile(join(client(), 'package.json'), 'utf8')) as {
      scripts: { build: string };
    };
    const path = `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`;
    return run('sh', ['-c', manifest.scripts.build], { cwd: client(), env: { ...process.env, PATH: path } });
  };

  it('pnpm build runs tsc --build over every TypeScript package, then the dashboard when it changed', async () => {
    const root = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(root.scripts.build).toBe(
      'tsc --build tsconfig.build.json && node packages/dashboard/build-when-changed.mjs',
    );
    const config = await readFile(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8');
    const { references } = JSON.parse(config.replace(/^\s*\/\/.*$/gm, '')) as {
      references: { path: string }[];
    };
    const packages = await readdir(join(REPO_ROOT, 'packages'));
    const compiled = packages.filter((name) =>
      existsSync(join(REPO_ROOT, 'packages', name, 'tsconfig.build.json')),
    );
    expect(references.map((reference) => reference.path).sort()).toEqual(
      compiled.map((name) => `packages/${name}/tsconfig.build.json`).sort(),
    );
  });

  it("a package's build compiles nothing when nothing changed, and compiles an edit", async () => {
    await compile();
    const output = join(client(), 'dist/index.js');
    const built = (await stat(output)).mtimeMs;

    await compile();
    expect((await stat(output)).mtimeMs, 'nothing was written').toBe(built);

    await appendFile(join(client(), 'src/index.ts'), '\nexport const addedAfterTheBuild = 1;\n');
    await compile();
    expect(await readFile(output, 'utf8')).toContain('addedAfterTheBuild');
  }, 120_000);

  it('the dashboard is bundled again only when one of its inputs changed', async () => {
    const dashboard = join(copy, 'packages/dashboard');
    const bundle = () => run(process.execPath, ['build-when-changed.mjs'], { cwd: dashboard });
    const bundleText = async () => {
      const assets = join(dashboard, 'dist/assets');
      const js = (await readdir(assets)).filter((name) => name.endsWith('.js'));
      return (await Promise.all(js.map((name) => readFile(join(assets, name), 'utf8')))).join('\n');
    };
    const skipped = /vite build skipped/;

    expect((await bundle()).stdout).not.toMatch(skipped);
    expect((await bundle()).stdout).toMatch(skipped);

    await appendFile(join(dashboard, 'src/main.tsx'), "\nconsole.info('edited after the build');\n");
    expect((await bundle()).stdout).not.toMatch(skipped);
    expect(await bundleText()).toContain('edited after the build');
    expect((await bundle()).stdout).toMatch(skipped);

    // The client is bundled from its sources, so an edit there counts as well.
    await appendFile(join(copy, 'packages/client/src/index.ts'), '\n// edited\n');
    expect((await bundle()).stdout).not.toMatch(skipped);
  }, 120_000);
});
