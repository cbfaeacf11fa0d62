import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@hearth/cli';
import { format, resolveConfig } from 'prettier';
import { expect, it } from 'vitest';

/**
 * The type tests (src/collections-types.test-d.ts) and the e2e test run over
 * test/fixtures/blog-schema.generated.ts. This keeps that file exactly what
 * `hearth gen types` writes today, so the SDK's types are proven against the
 * real generator's output, not an old copy of it.
 */
it('the typed fixture is the current output of `hearth gen types`', async () => {
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
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
