/** A place in a rule or document: 0-based offset, 1-based line and column (in UTF-16 units). */
export interface SourcePosition {
  offset: number;
  line: number;
  col: number;
}

export function positionAt(source: string, offset: number): SourcePosition {
  const end = Math.max(0, Math.min(offset, source.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: end, line, col: end - lineStart + 1 };
}

const EXCERPT_WIDTH = 72;

/**
 * Two lines: the source line holding `offset`, indented by two spaces, and a caret
 * line under it. Long lines are cut to a window around the caret so a 4 KiB
 * one-line filter still gives a readable message.
 */
export function caretExcerpt(source: string, offset: number, length = 1): string {
  const at = Math.max(0, Math.min(offset, source.length));
  const lineStart = source.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = source.indexOf('\n', at);
  if (lineEnd === -1) lineEnd = source.length;
  let from = lineStart;
  let to = lineEnd;
  let prefix = '';
  let suffix = '';
  if (to - from > EXCERPT_WIDTH) {
    from = Math.max(lineStart, at - Math.floor(EXCERPT_WIDTH / 2));
    to = Math.min(lineEnd, from + EXCERPT_WIDTH);
    if (from > lineStart) prefix = '…';
    if (to < lineEnd) suffix = '…';
  }
  const text = printable(source.slice(from, to));
  const caretCol = prefix.length + (at - from);
  const underline = Math.max(1, Math.min(length, to - at));
  return `  ${prefix}${text}${suffix}\n  ${' '.repeat(caretCol)}^${'~'.repeat(underline - 1)}`;
}

/** Keep the excerpt one line and free of control characters, one column per unit. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
