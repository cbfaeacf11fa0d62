// Summarises a V8 CPU profile (from HEARTH_BENCH_PROFILE) as text: the
// functions with the most time, by their own time (`self`, the default) or
// with everything they called (`total`), optionally only those whose name or
// file contains a filter. Idle time counts in the total, so compare
// percentages only within one profile.
//
//   node bench/profile-summary.mjs <file.cpuprofile> [self|total] [filter]
import { readFileSync } from 'node:fs';

const [file, mode = 'self', filter] = process.argv.slice(2);
// Piped into `head`, the reader may go first.
process.stdout.on('error', () => process.exit(0));
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.mjs <file.cpuprofile> [self|total] [filter]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const ownTime = new Map();
profile.samples.forEach((id, i) => ownTime.set(id, (ownTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...ownTime.values()].reduce((a, b) => a + b, 0);

const label = ({ callFrame: frame }) => {
  const where = frame.url.replace(/.*node_modules\/(\.pnpm\/)?/, '').replace(/.*\/packages\//, '');
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
};
const time = new Map();
for (const [id, micros] of ownTime) {
  if (mode === 'self') {
    const key = label(nodes.get(id));
    time.set(key, (time.get(key) ?? 0) + micros);
    continue;
  }
  // Each sample counts once for every function on its stack.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parentOf.get(at)) {
    const key = label(nodes.get(at));
    if (seen.has(key)) continue;
    seen.add(key);
    time.set(key, (time.get(key) ?? 0) + micros);
  }
}
const rows = [...time]
  .filter(([key]) => !filter || key.includes(filter))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(process.env.TOP ?? 60));
process.stdout.write(`${(total / 1e6).toFixed(1)} s sampled\n`);
for (const [key, micros] of rows) {
  process.stdout.write(
    `${((micros / total) * 100).toFixed(2).padStart(6)}% ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
  );
}
