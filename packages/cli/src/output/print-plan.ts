import type { PlanStep } from '@hearth/schema';
import type { Painter } from './terminal.js';

/**
 * `+` adds, `-` drops, `~` changes, `>` renames; destructive steps are marked.
 * Under each step, the first line of each statement the server runs for it.
 */
export function formatPlan(steps: (PlanStep & { sql?: string[] })[], paint: Painter): string {
  if (steps.length === 0) return 'No changes: the server already has this schema.';
  const lines: string[] = [];
  for (const step of steps) {
    const symbol =
      step.kind.startsWith('create') || step.kind.startsWith('add')
        ? paint.green('+')
        : step.kind.startsWith('drop')
          ? paint.red('-')
          : step.kind.startsWith('rename')
            ? paint.cyan('>')
            : paint.yellow('~');
    const mark = step.destructive ? ` ${paint.red(paint.bold('[destructive]'))}` : '';
    lines.push(`  ${symbol} ${step.description}${mark}`);
    if ('hint' in step && step.hint) lines.push(`      ${paint.dim(`hint: ${step.hint}`)}`);
    if ('warning' in step && step.warning) lines.push(`      ${paint.yellow(`warning: ${step.warning}`)}`);
    for (const statement of step.sql ?? []) lines.push(`      ${paint.dim(statement.split('\n')[0] ?? '')}`);
  }
  const destructive = steps.filter((s) => s.destructive).length;
  lines.push(
    `${steps.length} step${steps.length === 1 ? '' : 's'}${destructive > 0 ? `, ${paint.red(`${destructive} destructive`)}` : ''}.`,
  );
  return lines.join('\n');
}
