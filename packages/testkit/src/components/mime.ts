/**
 * A minimal MIME reader for mail captured in tests: enough for what nodemailer
 * writes (folded headers, RFC 2047 encoded words, multipart bodies,
 * quoted-printable and base64). mailparser cannot be installed here.
 */

export interface MimeAttachment {
  contentType: string;
  filename: string | undefined;
  content: Buffer;
}

export interface ParsedMessage {
  /** Decoded header values by lower-case name, in order of appearance. */
  headers: Map<string, string[]>;
  text: string | undefined;
  html: string | undefined;
  attachments: MimeAttachment[];
}

interface ContentType {
  type: string;
  params: Map<string, string>;
}

export function parseMessage(raw: Buffer | string): ParsedMessage {
  // latin1 keeps one char per byte, so bodies can be turned back into bytes exactly.
  const source =
    typeof raw === 'string' ? Buffer.from(raw, 'utf8').toString('latin1') : raw.toString('latin1');
  const result: ParsedMessage = { headers: new Map(), text: undefined, html: undefined, attachments: [] };
  const { headers, body } = splitEntity(source);
  result.headers = headers;
  collectParts(headers, body, result);
  return result;
}

function splitEntity(entity: string): { headers: Map<string, string[]>; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  const headerBlock = match === null ? entity : entity.slice(0, match.index);
  const body = match === null ? '' : entity.slice(match.index + match[0].length);
  return { headers: parseHeaders(headerBlock), body };
}

export function parseHeaders(block: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = decodeEncodedWords(line.slice(colon + 1).trim());
    headers.set(name, [...(headers.get(name) ?? []), value]);
  }
  return headers;
}

const encodedWord = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

/**
 * RFC 2047. Adjacent encoded words are joined before decoding because a
 * multi-byte character may be split between them; text outside them is raw
 * bytes and is read as UTF-8 (SMTPUTF8 mail).
 */
export function decodeEncodedWords(value: string): string {
  const pieces: { charset: string | undefined; bytes: Buffer }[] = [];
  let last = 0;
  for (const match of value.matchAll(encodedWord)) {
    const between = value.slice(last, match.index);
    const previous = pieces.at(-1);
    const adjacentToWord = previous?.charset !== undefined && /^\s*$/.test(between);
    if (!adjacentToWord && between !== '')
      pieces.push({ charset: undefined, bytes: Buffer.from(between, 'latin1') });
    const charset = (match[1] ?? 'utf-8').split('*')[0] ?? 'utf-8';
    const text = match[3] ?? '';
    const bytes =
      match[2]?.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(decodeQuotedPrintable(text.replace(/_/g, ' ')), 'latin1');
    const tail = pieces.at(-1);
    if (tail !== undefined && tail.charset?.toLowerCase() === charset.toLowerCase() && adjacentToWord) {
      tail.bytes = Buffer.concat([tail.bytes, bytes]);
    } else {
      pieces.push({ charset, bytes });
    }
    last = match.index + match[0].length;
  }
  if (last < value.length)
    pieces.push({ charset: undefined, bytes: Buffer.from(value.slice(last), 'latin1') });
  return pieces.map((p) => decodeCharset(p.bytes, p.charset ?? 'utf-8')).join('');
}

function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

export function parseContentType(value: string | undefined): ContentType {
  const [type = 'text/plain', ...rest] = splitParams(value ?? 'text/plain');
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    const key = param.slice(0, eq).trim().toLowerCase();
    let val = param.slice(eq + 1).trim();
    if (val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    params.set(key, val);
  }
  return { type: type.trim().toLowerCase(), params };
}

function splitParams(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function decodeTransfer(body: string, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(decodeQuotedPrintable(body), 'latin1');
    default:
      return Buffer.from(body, 'latin1');
  }
}

function collectParts(headers: Map<string, string[]>, body: string, result: ParsedMessage): void {
  const contentType = parseContentType(headers.get('content-type')?.[0]);
  const boundary = contentType.params.get('boundary');
  if (contentType.type.startsWith('multipart/') && boundary !== undefined) {
    for (const part of splitMultipart(body, boundary)) {
      const entity = splitEntity(part);
      collectParts(entity.headers, entity.body, result);
    }
    return;
  }

  const content = decodeTransfer(body, headers.get('content-transfer-encoding')?.[0]);
  const disposition = parseContentType(headers.get('content-disposition')?.[0] ?? 'inline');
  const filename = disposition.params.get('filename') ?? contentType.params.get('name');
  const isAttachment = disposition.type === 'attachment' || filename !== undefined;
  const charset = contentType.params.get('charset') ?? 'utf-8';
  if (!isAttachment && contentType.type === 'text/plain' && result.text === undefined) {
    result.text = decodeCharset(content, charset);
  } else if (!isAttachment && contentType.type === 'text/html' && result.html === undefined) {
    result.html = decodeCharset(content, charset);
  } else {
    result.attachments.push({ contentType: contentType.type, filename, content });
  }
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  // The line break before a delimiter belongs to the delimiter, not to the part.
  const lines = body.split(/(?<=\n)/);
  let current: string[] | undefined;
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, '').trimEnd();
    if (bare === delimiter || bare === `${delimiter}--`) {
      if (current !== undefined) parts.push(current.join('').replace(/\r?\n$/, ''));
      if (bare !== delimiter) return parts;
      current = [];
    } else {
      current?.push(line);
    }
  }
  if (current !== undefined && current.length > 0) parts.push(current.join(''));
  return parts;
}

/** The bare address in `"Name" <a@b>` or `a@b`. */
export function extractAddress(value: string): string {
  const angle = /<([^>]*)>/.exec(value);
  return (angle?.[1] ?? value).trim();
}
