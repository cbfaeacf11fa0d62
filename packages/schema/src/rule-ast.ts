import type { SourcePosition } from './source-text.js';

interface NodeBase {
  /** Where the node starts. */
  start: SourcePosition;
  /** Offset just past the node's last character. */
  end: number;
}

export type BinaryOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '&&' | '||' | '+';

export type RuleNode =
  | (NodeBase & { kind: 'string'; value: string })
  | (NodeBase & { kind: 'number'; value: number })
  | (NodeBase & { kind: 'bool'; value: boolean })
  | (NodeBase & { kind: 'null' })
  | (NodeBase & { kind: 'list'; items: RuleNode[] })
  | (NodeBase & { kind: 'name'; name: string })
  | (NodeBase & { kind: 'member'; object: RuleNode; property: string; propertyStart: SourcePosition })
  | (NodeBase & {
      kind: 'call';
      callee: string;
      calleeStart: SourcePosition;
      /** The receiver of a method-style call (`path.startsWith(x)`), or null for `lower(x)`. */
      receiver: RuleNode | null;
      args: RuleNode[];
    })
  | (NodeBase & { kind: 'not'; operand: RuleNode })
  | (NodeBase & {
      kind: 'binary';
      op: BinaryOperator;
      opStart: SourcePosition;
      left: RuleNode;
      right: RuleNode;
    });

/** A parsed rule: its AST plus the text it came from (needed for error excerpts). */
export interface ParsedRule {
  source: string;
  label: string;
  ast: RuleNode;
}
