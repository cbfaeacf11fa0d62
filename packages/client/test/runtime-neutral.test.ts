import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/** The SDK runs in browsers, Node and React Native: its source may use only what all three have. */
describe('runtime-neutral source', () => {
  const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

  it('bundles for a neutral platform with no Node built-ins and no dependencies', async () => {
    const result = await build({
      entryPoints: [`${srcDir}index.ts`],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.every((path) => path.startsWith('src/') || path.includes('/client/src/'))).toBe(true);
    expect(result.outputFiles[0]!.text.length).toBeLessThan(80_000);
  });

  it('uses no Node-only globals (Buffer, process, require) outside tests', async () => {
    const files = (await readdir(srcDir)).filter((f) => f.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(f));
    for (const file of files) {
      const code = (await readFile(`${srcDir}${file}`, 'utf8')).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
      expect(code, file).not.toMatch(/\bBuffer\b|\bprocess\.|\brequire\(|from 'node:/);
    }
  });
});
