import { positionAt, type SourcePosition } from './source-text.js';

/**
 * A small JSON parser that remembers where every value (and key) starts, so
 * schema errors can say line:col. It also refuses duplicate keys, which
 * JSON.parse silently collapses, and builds objects without ever invoking a
 * `__proto__` setter.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonLocation {
  /** Where the value starts. */
  start: number;
  end: number;
  /** Where the property name starts, for values held in objects. */
  keyStart?: number;
}

export interface LocatedJson {
  value: unknown;
  text: string;
  /** Keyed by JSON pointer (`/collections/posts/rules/list`). */
  locations: Map<string, JsonLocation>;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly detail: string,
    readonly position: SourcePosition,
  ) {
    super(`${position.line}:${position.col}: ${detail}`);
  }
}

const MAX_DEPTH = 64;

export function jsonPointer(path: JsonPath): string {
  return path.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function parseJsonWithLocations(text: string): LocatedJson {
  const locations = new Map<string, JsonLocation>();
  let i = 0;

  const fail = (detail: string, at = i): never => {
    throw new JsonSyntaxError(detail, positionAt(text, at));
  };
  const skip = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const describe = (): string => (i >= text.length ? 'the end of the text' : JSON.stringify(text[i]));

  const parseString = (): string => {
    const start = i;
    const end = scanString(text, i);
    if (end < 0) fail('unterminated or malformed string', start);
    i = end;
    return JSON.parse(text.slice(start, end)) as string;
  };

  const parseValue = (pointer: string, depth: number, keyStart?: number): unknown => {
    skip();
    const start = i;
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    let value: unknown;
    const ch = text[i];
    if (ch === '{') {
      i++;
      const object: Record<string, unknown> = {};
      const seen = new Set<string>();
      skip();
      if (text[i] === '}') i++;
      else {
        for (;;) {
          skip();
          if (text[i] !== '"') fail(`expected a property name but found ${describe()}`);
          const nameStart = i;
          const key = parseString();
          if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, nameStart);
          seen.add(key);
          skip();
          if (text[i] !== ':') fail(`expected ":" but found ${describe()}`);
          i++;
          const child = parseValue(
            `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
            depth + 1,
            nameStart,
          );
          Object.defineProperty(object, key, {
            value: child,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          skip();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            break;
          }
          fail(`expected "," or "}" but found ${describe()}`);
        }
      }
      value = object;
    } else if (ch === '[') {
      i++;
      const array: unknown[] = [];
      skip();
      if (text[i] === ']') i++;
      else {
        for (;;) {
          array.push(parseValue(`${pointer}/${array.length}`, depth + 1));
          skip();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            break;
          }
          fail(`expected "," or "]" but found ${describe()}`);
        }
      }
      value = array;
    } else if (ch === '"') {
      value = parseString();
    } else {
      const match = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(
        text.slice(i, i + 400),
      );
      if (!match) fail(`unexpected ${describe()}`);
      const token = (match as RegExpExecArray)[0];
      i += token.length;
      value = JSON.parse(token);
    }
    locations.set(pointer, keyStart === undefined ? { start, end: i } : { start, end: i, keyStart });
    return value;
  };

  const value = parseValue('', 0);
  skip();
  if (i < text.length) fail(`unexpected ${describe()} after the document`);
  return { value, text, locations };
}

/** The end of the JSON string starting at `start` (the opening quote), or -1. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 34) return i + 1;
    if (ch < 32) return -1;
    if (ch === 92) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -1;
        i += 6;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
        i += 2;
      } else {
        return -1;
      }
      continue;
    }
    i++;
  }
  return -1;
}

/** The nearest located ancestor of `path` (the path itself if it has a location). */
export function locate(
  located: LocatedJson,
  path: JsonPath,
): { location: JsonLocation; exact: boolean } | null {
  for (let n = path.length; n >= 0; n--) {
    const location = located.locations.get(jsonPointer(path.slice(0, n)));
    if (location) return { location, exact: n === path.length };
  }
  return null;
}

/**
 * Where the character at `index` of a decoded JSON string value lies in the
 * raw text, given the string's location. Escapes (`\n`, `\u00e9`) are counted.
 */
export function offsetInString(text: string, location: JsonLocation, index: number): number {
  let raw = location.start + 1;
  let decoded = 0;
  while (decoded < index && raw < location.end - 1) {
    if (text[raw] === '\\') raw += text[raw + 1] === 'u' ? 6 : 2;
    else raw++;
    decoded++;
  }
  return raw;
}
