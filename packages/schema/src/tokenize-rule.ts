import { RuleError } from './rule-error.js';
import type { SourcePosition } from './source-text.js';

export type TokenKind = 'name' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** For `punct`: the operator text; for `name`: the name; for `string`: the decoded value. */
  text: string;
  /** For `number`. */
  value: number;
  start: SourcePosition;
  end: number;
}

const PUNCTUATION = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '+',
  '-',
];
const MAX_NAME_LENGTH = 64;
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '/': '/',
};

/**
 * A pull tokenizer: the parser asks for one token at a time, so a huge input that
 * breaks a limit early is never scanned to the end.
 */
export class RuleTokenizer {
  private offset = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly source: string,
    private readonly label: string,
  ) {}

  next(): Token {
    this.skipWhitespace();
    const start = this.here();
    const src = this.source;
    if (this.offset >= src.length) return { kind: 'eof', text: '', value: 0, start, end: this.offset };
    const ch = src.charCodeAt(this.offset);

    if (isNameStart(ch)) {
      let end = this.offset + 1;
      while (end < src.length && isNamePart(src.charCodeAt(end))) end++;
      if (end - this.offset > MAX_NAME_LENGTH)
        this.fail('rules/syntax', `name longer than ${MAX_NAME_LENGTH} characters`, start, end - this.offset);
      const text = src.slice(this.offset, end);
      this.offset = end;
      return { kind: 'name', text, value: 0, start, end };
    }
    if (isDigit(ch)) return this.number(start);
    if (ch === 34 || ch === 39) return this.string(start, ch);

    for (const p of PUNCTUATION) {
      if (src.startsWith(p, this.offset)) {
        this.offset += p.length;
        return { kind: 'punct', text: p, value: 0, start, end: this.offset };
      }
    }
    const c = src[this.offset] ?? '';
    const hint = c === '=' ? ' (use == to compare)' : c === '&' ? ' (use &&)' : c === '|' ? ' (use ||)' : '';
    return this.fail('rules/syntax', `unexpected character ${JSON.stringify(c)}${hint}`, start);
  }

  private number(start: SourcePosition): Token {
    const src = this.source;
    const match = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(this.offset, this.offset + 400));
    const text = match?.[0] ?? '';
    const end = this.offset + text.length;
    if (end < src.length && (isNamePart(src.charCodeAt(end)) || src[end] === '.')) {
      this.fail('rules/syntax', 'malformed number', start, end - this.offset + 1);
    }
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail('rules/syntax', 'number out of range', start, text.length);
    this.offset = end;
    return { kind: 'number', text, value, start, end };
  }

  private string(start: SourcePosition, quote: number): Token {
    const src = this.source;
    let i = this.offset + 1;
    let out = '';
    for (;;) {
      if (i >= src.length) this.fail('rules/syntax', 'unterminated string', start, i - this.offset);
      const ch = src.charCodeAt(i);
      if (ch === quote) break;
      if (ch === 10 || ch === 13)
        this.fail('rules/syntax', 'unterminated string (line break inside quotes)', start, i - this.offset);
      if (ch === 0) this.fail('rules/syntax', 'strings cannot contain NUL (U+0000)', this.at(i));
      if (ch !== 92) {
        if (ch >= 0xd800 && ch <= 0xdbff && isLowSurrogate(src.charCodeAt(i + 1))) {
          out += src.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (ch >= 0xd800 && ch <= 0xdfff)
          this.fail('rules/syntax', 'strings cannot contain lone surrogates', this.at(i));
        out += src[i];
        i++;
        continue;
      }
      const esc = src[i + 1] ?? '';
      const simple = ESCAPES[esc];
      if (simple !== undefined && Object.hasOwn(ESCAPES, esc)) {
        out += simple;
        i += 2;
        continue;
      }
      if (esc === 'u') {
        const decoded = this.unicodeEscape(i);
        out += decoded.text;
        i = decoded.end;
        continue;
      }
      this.fail('rules/syntax', `unknown escape \\${esc}`, this.at(i), 2);
    }
    this.offset = i + 1;
    return { kind: 'string', text: out, value: 0, start, end: this.offset };
  }

  private unicodeEscape(at: number): { text: string; end: number } {
    const src = this.source;
    const braced = src[at + 2] === '{';
    const match = braced
      ? /^\{([0-9a-fA-F]{1,6})\}/.exec(src.slice(at + 2, at + 11))
      : /^[0-9a-fA-F]{4}/.exec(src.slice(at + 2, at + 6));
    if (!match) return this.fail('rules/syntax', 'malformed \\u escape', this.at(at), 2);
    const code = parseInt(braced ? (match[1] ?? '') : match[0], 16);
    const end = at + 2 + match[0].length;
    if (code === 0) this.fail('rules/syntax', 'strings cannot contain NUL (U+0000)', this.at(at), end - at);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      // A surrogate pair written as two \u escapes is fine; a lone half is not.
      if (!braced && code >= 0xd800 && code <= 0xdbff) {
        const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(src.slice(end, end + 6));
        if (low) return { text: String.fromCharCode(code, parseInt(low[1] ?? '', 16)), end: end + 6 };
      }
      this.fail('rules/syntax', 'escape is not a Unicode scalar value', this.at(at), end - at);
    }
    return { text: String.fromCodePoint(code), end };
  }

  private skipWhitespace(): void {
    const src = this.source;
    while (this.offset < src.length) {
      const ch = src.charCodeAt(this.offset);
      if (ch === 10) {
        this.offset++;
        this.line++;
        this.lineStart = this.offset;
      } else if (ch === 32 || ch === 9 || ch === 13) {
        this.offset++;
      } else {
        break;
      }
    }
  }

  private here(): SourcePosition {
    return { offset: this.offset, line: this.line, col: this.offset - this.lineStart + 1 };
  }

  /** Position of an offset on the current line (tokens never span lines). */
  private at(offset: number): SourcePosition {
    return { offset, line: this.line, col: offset - this.lineStart + 1 };
  }

  private fail(code: 'rules/syntax', detail: string, position: SourcePosition, length = 1): never {
    throw new RuleError({ code, detail, source: this.source, position, length, label: this.label });
  }
}

function isNameStart(ch: number): boolean {
  return (ch >= 97 && ch <= 122) || (ch >= 65 && ch <= 90) || ch === 95;
}

function isNamePart(ch: number): boolean {
  return isNameStart(ch) || isDigit(ch);
}

function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}

function isLowSurrogate(ch: number): boolean {
  return ch >= 0xdc00 && ch <= 0xdfff;
}
