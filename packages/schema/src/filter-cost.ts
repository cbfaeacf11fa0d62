import type { CheckedExpr, CheckedRule, ViewRuleLookup } from './checked-rule.js';

export interface FilterCost {
  /** Operands: literals, names, calls, list items, the terms of every view rule a hop adds. */
  terms: number;
  /** Relation joins: one per hop of each path, plus the hops inside the view rules they add. */
  hops: number;
  /** `terms × (1 + hops)`: how the work of a filter grows, known before it runs. */
  cost: number;
}

/**
 * The cost of running a filter, computed from its checked form alone. Each
 * comparison through a relation is its own `EXISTS` subquery per row, and
 * each hop of a client filter also runs the target's view rule (pass the same
 * `viewRuleFor` the compiler gets), so cost grows with terms times hops.
 */
export function filterCost(rule: CheckedRule, viewRuleFor?: ViewRuleLookup): FilterCost {
  const guards = new Map<string, { terms: number; hops: number }>();
  const guardOf = (collection: string): { terms: number; hops: number } => {
    let known = guards.get(collection);
    if (!known) {
      const view = viewRuleFor?.(collection) ?? null;
      // A view rule's own hops are not guarded, so this never recurses further.
      known = view ? count(view.expr, () => ({ terms: 0, hops: 0 })) : { terms: 0, hops: 0 };
      guards.set(collection, known);
    }
    return known;
  };
  const { terms, hops } = count(rule.expr, viewRuleFor ? guardOf : () => ({ terms: 0, hops: 0 }));
  return { terms, hops, cost: terms * (1 + hops) };
}

function count(
  expr: CheckedExpr,
  guard: (collection: string) => { terms: number; hops: number },
): { terms: number; hops: number } {
  let terms = 0;
  let hops = 0;
  const visit = (e: CheckedExpr): void => {
    switch (e.kind) {
      case 'literal':
        terms++;
        return;
      case 'list':
        terms += 1 + e.items.length;
        return;
      case 'ref':
        terms++;
        // Every step but the last follows a relation.
        for (const step of e.steps.slice(0, -1)) {
          const added = guard(step.field.target ?? '');
          hops += 1 + added.hops;
          terms += added.terms;
        }
        return;
      case 'call':
        terms++;
        e.args.forEach(visit);
        return;
      case 'compare':
      case 'and':
      case 'or':
      case 'concat':
        visit(e.left);
        visit(e.right);
        return;
      case 'in':
        visit(e.needle);
        visit(e.haystack);
        return;
      case 'not':
        visit(e.operand);
        return;
    }
  };
  visit(expr);
  return { terms, hops };
}
