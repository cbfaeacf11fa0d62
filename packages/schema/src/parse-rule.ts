import type { BinaryOperator, ParsedRule, RuleNode } from './rule-ast.js';
import { RuleError, type RuleErrorCode } from './rule-error.js';
import { resolveLimits, type RuleLimits } from './rule-limits.js';
import type { SourcePosition } from './source-text.js';
import { RuleTokenizer, type Token } from './tokenize-rule.js';

export interface ParseRuleOptions {
  /** Shown in errors: `collections.posts.rules.list`, `filter`, ... */
  label?: string;
  limits?: Partial<RuleLimits>;
}

const COMPARISON = new Set(['==', '!=', '<', '<=', '>', '>=']);
const KEYWORDS = new Set(['true', 'false', 'null', 'in']);

/**
 * Parses rule text into an AST with a position on every node. Throws a
 * `RuleError` (`rules/syntax` or `rules/too-complex`) and nothing else.
 * Depth and term counts are checked while parsing, before recursing further,
 * so hostile input fails fast and never exhausts the stack.
 */
export function parseRule(source: string, options: ParseRuleOptions = {}): ParsedRule {
  const label = options.label ?? 'rule';
  const limits = resolveLimits(options.limits);
  if (typeof source !== 'string') {
    throw new RuleError({
      code: 'rules/syntax',
      detail: 'rule must be a string',
      source: '',
      position: origin(),
      label,
    });
  }
  if (source.length > limits.maxLength) {
    throw new RuleError({
      code: 'rules/too-complex',
      detail: `rule is ${source.length} characters long; the limit is ${limits.maxLength}`,
      source,
      position: origin(),
      label,
    });
  }
  const parser = new Parser(source, label, limits);
  return { source, label, ast: parser.parseRoot() };
}

function origin(): SourcePosition {
  return { offset: 0, line: 1, col: 1 };
}

class Parser {
  private readonly tokens: RuleTokenizer;
  private tok: Token;
  private depth = 0;
  private terms = 0;

  constructor(
    private readonly source: string,
    private readonly label: string,
    private readonly limits: RuleLimits,
  ) {
    this.tokens = new RuleTokenizer(source, label);
    this.tok = this.tokens.next();
  }

  parseRoot(): RuleNode {
    if (this.tok.kind === 'eof') this.fail('rules/syntax', 'empty rule', this.tok.start);
    const node = this.parseOr();
    if (!this.atEnd()) this.unexpected('an operator or the end of the rule');
    return node;
  }

  private parseOr(): RuleNode {
    let left = this.parseAnd();
    while (this.isPunct('||')) {
      const opStart = this.advance().start;
      const right = this.parseAnd();
      left = this.binary('||', opStart, left, right);
    }
    return left;
  }

  private parseAnd(): RuleNode {
    let left = this.parseComparison();
    while (this.isPunct('&&')) {
      const opStart = this.advance().start;
      const right = this.parseComparison();
      left = this.binary('&&', opStart, left, right);
    }
    return left;
  }

  private parseComparison(): RuleNode {
    const left = this.parseAdditive();
    const op = this.comparisonOperator();
    if (op === null) return left;
    const opStart = this.advance().start;
    const right = this.parseAdditive();
    if (this.comparisonOperator() !== null) {
      this.fail(
        'rules/syntax',
        'comparisons cannot be chained; use parentheses and && instead',
        this.tok.start,
        this.tok.end - this.tok.start.offset,
      );
    }
    return this.binary(op, opStart, left, right);
  }

  private comparisonOperator(): BinaryOperator | null {
    if (this.tok.kind === 'punct' && COMPARISON.has(this.tok.text)) return this.tok.text as BinaryOperator;
    if (this.tok.kind === 'name' && this.tok.text === 'in') return 'in';
    return null;
  }

  private parseAdditive(): RuleNode {
    let left = this.parseUnary();
    while (this.isPunct('+')) {
      const opStart = this.advance().start;
      const right = this.parseUnary();
      left = this.binary('+', opStart, left, right);
    }
    return left;
  }

  private parseUnary(): RuleNode {
    if (this.isPunct('!')) {
      const start = this.advance().start;
      this.enter(start);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand, start, end: operand.end };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): RuleNode {
    let node = this.parsePrimary();
    while (this.isPunct('.')) {
      this.advance();
      const nameTok = this.tok;
      if (nameTok.kind !== 'name' || KEYWORDS.has(nameTok.text))
        this.unexpected('a field or function name after "."');
      this.advance();
      this.countTerm(nameTok.start);
      if (this.isPunct('(')) {
        const { args, end } = this.parseArguments();
        node = {
          kind: 'call',
          callee: nameTok.text,
          calleeStart: nameTok.start,
          receiver: node,
          args,
          start: node.start,
          end,
        };
      } else {
        node = {
          kind: 'member',
          object: node,
          property: nameTok.text,
          propertyStart: nameTok.start,
          start: node.start,
          end: nameTok.end,
        };
      }
    }
    return node;
  }

  private parsePrimary(): RuleNode {
    const tok = this.tok;
    this.countTerm(tok.start);
    if (tok.kind === 'number') {
      this.advance();
      return { kind: 'number', value: tok.value, start: tok.start, end: tok.end };
    }
    if (tok.kind === 'string') {
      this.advance();
      return { kind: 'string', value: tok.text, start: tok.start, end: tok.end };
    }
    if (tok.kind === 'punct' && tok.text === '-') {
      this.advance();
      const num = this.tok;
      if (num.kind !== 'number') this.unexpected('a number after "-" (there is no arithmetic)');
      this.advance();
      return { kind: 'number', value: -num.value, start: tok.start, end: num.end };
    }
    if (tok.kind === 'name') {
      this.advance();
      switch (tok.text) {
        case 'true':
        case 'false':
          return { kind: 'bool', value: tok.text === 'true', start: tok.start, end: tok.end };
        case 'null':
          return { kind: 'null', start: tok.start, end: tok.end };
        case 'in':
          return this.fail('rules/syntax', 'unexpected "in"', tok.start, 2);
      }
      if (this.isPunct('(')) {
        const { args, end } = this.parseArguments();
        return {
          kind: 'call',
          callee: tok.text,
          calleeStart: tok.start,
          receiver: null,
          args,
          start: tok.start,
          end,
        };
      }
      return { kind: 'name', name: tok.text, start: tok.start, end: tok.end };
    }
    if (tok.kind === 'punct' && tok.text === '(') {
      this.advance();
      this.enter(tok.start);
      const inner = this.parseOr();
      this.depth--;
      const close = this.expect(')');
      // Parentheses leave no node; widen the inner node's span for excerpts.
      return { ...inner, start: tok.start, end: close.end };
    }
    if (tok.kind === 'punct' && tok.text === '[') {
      this.advance();
      this.enter(tok.start);
      const items: RuleNode[] = [];
      while (!this.isPunct(']')) {
        if (items.length >= this.limits.maxListItems) {
          this.fail(
            'rules/too-complex',
            `list has more than ${this.limits.maxListItems} items`,
            this.tok.start,
          );
        }
        items.push(this.parseOr());
        if (!this.isPunct(',')) break;
        this.advance();
      }
      this.depth--;
      const close = this.expect(']');
      return { kind: 'list', items, start: tok.start, end: close.end };
    }
    return this.unexpected('a value, a name or "("');
  }

  private parseArguments(): { args: RuleNode[]; end: number } {
    const open = this.advance();
    this.enter(open.start);
    const args: RuleNode[] = [];
    while (!this.isPunct(')')) {
      if (args.length >= 8) this.fail('rules/too-complex', 'too many arguments', this.tok.start);
      args.push(this.parseOr());
      if (!this.isPunct(',')) break;
      this.advance();
    }
    this.depth--;
    const close = this.expect(')');
    return { args, end: close.end };
  }

  private binary(op: BinaryOperator, opStart: SourcePosition, left: RuleNode, right: RuleNode): RuleNode {
    return { kind: 'binary', op, opStart, left, right, start: left.start, end: right.end };
  }

  private enter(at: SourcePosition): void {
    this.depth++;
    if (this.depth > this.limits.maxDepth) {
      this.fail('rules/too-complex', `nesting deeper than ${this.limits.maxDepth}`, at);
    }
  }

  private countTerm(at: SourcePosition): void {
    this.terms++;
    if (this.terms > this.limits.maxTerms) {
      this.fail('rules/too-complex', `more than ${this.limits.maxTerms} terms`, at);
    }
  }

  private atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  private isPunct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  private advance(): Token {
    const tok = this.tok;
    this.tok = this.tokens.next();
    return tok;
  }

  private expect(text: string): Token {
    if (!this.isPunct(text)) this.unexpected(`"${text}"`);
    return this.advance();
  }

  private unexpected(wanted: string): never {
    const tok = this.tok;
    const found =
      tok.kind === 'eof'
        ? 'the end of the rule'
        : tok.kind === 'string'
          ? 'a string'
          : tok.kind === 'number'
            ? 'a number'
            : `"${tok.text}"`;
    return this.fail(
      'rules/syntax',
      `expected ${wanted} but found ${found}`,
      tok.start,
      Math.max(1, tok.end - tok.start.offset),
    );
  }

  private fail(code: RuleErrorCode, detail: string, position: SourcePosition, length = 1): never {
    throw new RuleError({ code, detail, source: this.source, position, length, label: this.label });
  }
}
