import { readdir } from 'node:fs/promises';

/** Every module in bench/scenarios, in file-name order. */
export async function loadScenarios() {
  const dir = new URL('./scenarios/', import.meta.url);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.mjs')).sort();
  return Promise.all(files.map(async (file) => ({ file, ...(await import(new URL(file, dir))) })));
}
