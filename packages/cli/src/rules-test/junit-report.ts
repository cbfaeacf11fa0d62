import type { FileResult } from './run-rules-tests.js';

/** JUnit XML, the format CI systems (GitHub, GitLab, Jenkins) show as test results. */
export function junitReport(files: FileResult[]): string {
  const all = files.flatMap((f) => f.cases);
  const failures = all.filter((c) => !c.passed && c.error === undefined).length;
  const errors = all.filter((c) => c.error !== undefined).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = files.reduce((sum, f) => sum + f.durationMs, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="hearth rules test" tests="${all.length}" failures="${failures}" errors="${errors}" time="${seconds(total)}">`,
  ];
  for (const file of files) {
    const fileFailures = file.cases.filter((c) => !c.passed && c.error === undefined).length;
    const fileErrors = file.cases.filter((c) => c.error !== undefined).length;
    lines.push(
      `  <testsuite name="${xml(file.file)}" tests="${file.cases.length}" failures="${fileFailures}" errors="${fileErrors}" time="${seconds(file.durationMs)}">`,
    );
    for (const c of file.cases) {
      const open = `    <testcase classname="${xml(`${c.collection}.${c.op}`)}" name="${xml(c.name)}" file="${xml(c.location.replace(/:\d+$/, ''))}" time="${seconds(c.durationMs)}"`;
      if (c.error !== undefined) {
        lines.push(
          `${open}>`,
          `      <error message="${xml(c.error)}">${xml(`${c.location}: ${c.error}`)}</error>`,
          '    </testcase>',
        );
      } else if (!c.passed) {
        const message = `expected ${c.expect}, got ${c.actual ?? 'nothing'}`;
        lines.push(
          `${open}>`,
          `      <failure message="${xml(message)}">${xml(`${c.location}: ${message}\n${c.reason}`)}</failure>`,
          '    </testcase>',
        );
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Characters XML 1.0 cannot hold at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '?')
  );
}
