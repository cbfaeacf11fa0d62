/** Bounds that turn hostile input into a clean `rules/too-complex` error in bounded time. */
export interface RuleLimits {
  /** Characters in the rule or filter text. */
  maxLength: number;
  /** Nesting of parentheses, `!`, lists and call arguments. */
  maxDepth: number;
  /** Operands, member accesses and calls. */
  maxTerms: number;
  /** Items in one list literal. */
  maxListItems: number;
  /** Relations followed by one dotted path (`project.team.owner` follows 2). */
  maxRelationDepth: number;
}

export const DEFAULT_RULE_LIMITS: Readonly<RuleLimits> = Object.freeze({
  maxLength: 4096,
  maxDepth: 64,
  maxTerms: 200,
  maxListItems: 100,
  maxRelationDepth: 3,
});

export function resolveLimits(overrides: Partial<RuleLimits> | undefined): RuleLimits {
  return { ...DEFAULT_RULE_LIMITS, ...overrides };
}
