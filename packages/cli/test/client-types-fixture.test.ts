import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { expect, it } from 'vitest';
import { runCli } from '../src/run-cli.js';

/**
 * The client's type tests (packages/client/src/collections-types.test-d.ts) and
 * its e2e test run over packages/client/test/fixtures/blog-schema.generated.ts.
 * This keeps that file exactly what `hearth gen types` writes today, so the
 * SDK's types are proven against the real generator's output, not an old copy
 * of it. It lives with the CLI, reading the client's fixture by path, so that
 * the client needs no dependency on the CLI (that made a workspace cycle).
 */
it("the client's typed fixture is the current output of `hearth gen types`", async () => {
  const fixtures = fileURLToPath(new URL('../../client/test/fixtures/', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'hearth-client-gen-'));
  try {
    const out = join(dir, 'types.ts');
    const code = await runCli([
      'node',
      'hearth',
      'gen',
      'types',
      '-f',
      join(fixtures, 'blog.schema.json'),
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    const body = (text: string) => text.slice(text.indexOf('\n') + 1); // the first line names the source path
    const fixturePath = join(fixtures, 'blog-schema.generated.ts');
    const options = { ...(await resolveConfig(fixturePath)), filepath: fixturePath };
    const generated = await format(await readFile(out, 'utf8'), options);
    const fixture = await readFile(fixturePath, 'utf8');
    expect(body(fixture), 'regenerate the fixture (see packages/client/README.md)').toBe(body(generated));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
