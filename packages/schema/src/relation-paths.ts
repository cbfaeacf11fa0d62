import type { CheckedExpr, CheckedRule, RuleRoot } from './checked-rule.js';

export interface RelationPath {
  /** Where the path starts: the row, the incoming record or the caller. */
  root: Extract<RuleRoot, 'record' | 'data' | 'auth'>;
  /** Relation fields followed, in order: `["project", "team"]` for `project.team.members`. */
  fields: string[];
  /** The collection of each field's target, in the same order. */
  collections: string[];
}

/**
 * The relations a rule follows, so a caller of `evaluateRule` can load (or
 * pre-expand) exactly those records first: create checks, realtime fan-out.
 * Deduplicated; a path is listed once with its longest extent.
 */
export function relationPathsOf(rule: CheckedRule): RelationPath[] {
  const found = new Map<string, RelationPath>();
  const visit = (expr: CheckedExpr): void => {
    switch (expr.kind) {
      case 'ref': {
        if (expr.root !== 'record' && expr.root !== 'data' && expr.root !== 'auth') return;
        const hops = expr.steps.slice(0, -1);
        if (hops.length === 0) return;
        const path: RelationPath = {
          root: expr.root,
          fields: hops.map((s) => s.field.name),
          collections: hops.map((s) => s.field.target ?? ''),
        };
        const key = `${path.root}:${path.fields.join('.')}`;
        for (const existing of found.keys()) {
          if (existing.startsWith(`${key}.`) || existing === key) return;
          if (key.startsWith(`${existing}.`)) found.delete(existing);
        }
        found.set(key, path);
        return;
      }
      case 'compare':
      case 'and':
      case 'or':
      case 'concat':
        visit(expr.left);
        visit(expr.right);
        return;
      case 'in':
        visit(expr.needle);
        visit(expr.haystack);
        return;
      case 'not':
        visit(expr.operand);
        return;
      case 'call':
        expr.args.forEach(visit);
        return;
      case 'list':
      case 'literal':
        return;
    }
  };
  visit(rule.expr);
  return [...found.values()];
}
