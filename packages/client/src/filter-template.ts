/**
 * `filter('owner == {:owner} && title == {:title}', { owner, title })`: binds
 * values into a filter as literals of the rule language, so no value can
 * change the filter's meaning. The escaping follows the rule tokenizer in
 * `@hearth/schema` exactly (a test checks it against the real parser).
 */

/** A value a placeholder accepts: a scalar, a Date (sent as its ISO 8601 string), or a list of those for `in`. */
export type FilterScalar = string | number | boolean | null | Date;
export type FilterValue = FilterScalar | readonly FilterScalar[];

/** The placeholder names in a template literal type: `'a == {:x} || b == {:y}'` → `'x' | 'y'`. */
export type FilterPlaceholders<Template extends string> =
  Template extends `${string}{:${infer Name}}${infer Rest}` ? Name | FilterPlaceholders<Rest> : never;

/** The params object a template needs: exactly its placeholders when the template is a literal. */
export type FilterParams<Template extends string> = string extends Template
  ? Readonly<Record<string, FilterValue>>
  : { readonly [Name in FilterPlaceholders<Template>]: FilterValue };

const PLACEHOLDER = /\{:([A-Za-z_][A-Za-z0-9_]*)\}/y;

/**
 * Renders `template` with each `{:name}` replaced by `params[name]` as a
 * literal. Throws a TypeError for a missing parameter, a placeholder inside a
 * quoted string, or a value the rule language cannot hold (NaN, Infinity,
 * undefined, objects, functions, strings with NUL or lone surrogates).
 */
export function filter<const Template extends string>(
  template: Template,
  params: FilterParams<Template>,
): string {
  const values = params as Readonly<Record<string, unknown>>;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i] as string;
    if (ch === '"' || ch === "'") {
      const end = endOfQuoted(template, i);
      const quoted = template.slice(i, end);
      const inside = /\{:[A-Za-z_][A-Za-z0-9_]*\}/.exec(quoted);
      if (inside !== null) {
        throw new TypeError(
          `Hearth filter: placeholder ${inside[0]} is inside quotes; write it without quotes (the value is quoted for you).`,
        );
      }
      out += quoted;
      i = end;
      continue;
    }
    if (ch === '{') {
      PLACEHOLDER.lastIndex = i;
      const match = PLACEHOLDER.exec(template);
      if (match !== null) {
        const name = match[1] as string;
        if (!Object.hasOwn(values, name)) {
          throw new TypeError(`Hearth filter: no value for placeholder {:${name}}.`);
        }
        out += filterLiteral(values[name], name);
        i += match[0].length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

/** Offset just past the quoted string starting at `start` (or the end, when it is unterminated). */
function endOfQuoted(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) return i + 1;
    else i++;
  }
  return text.length;
}

/**
 * One value as a rule-language literal: `"text"` with escapes, a number, `true`,
 * `false`, `null`, or `[…]`. `name` is only for error messages.
 */
export function filterLiteral(value: unknown, name = 'value'): string {
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown, index) => scalarLiteral(item, `${name}[${index}]`)).join(', ')}]`;
  }
  return scalarLiteral(value, name);
}

function scalarLiteral(value: unknown, name: string): string {
  switch (typeof value) {
    case 'string':
      return stringLiteral(value, name);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TypeError(
          `Hearth filter: {:${name}} is ${String(value)}; only finite numbers are allowed.`,
        );
      }
      // String() of a finite number always matches the rule grammar (1e+21, 1.5e-7); "-" is unary minus.
      return value < 0 ? `-${String(-value)}` : String(value === 0 ? 0 : value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime()))
          throw new TypeError(`Hearth filter: {:${name}} is an invalid Date.`);
        return stringLiteral(value.toISOString(), name);
      }
      if (Array.isArray(value))
        throw new TypeError(`Hearth filter: {:${name}} is a nested list; lists hold only scalars.`);
      throw new TypeError(
        `Hearth filter: {:${name}} is an object; pass a string, number, boolean, null, Date or a list of those.`,
      );
    default:
      throw new TypeError(
        `Hearth filter: {:${name}} is ${typeof value === 'undefined' ? 'undefined (use null for "no value")' : `a ${typeof value}`}; pass a string, number, boolean, null, Date or a list of those.`,
      );
  }
}

/** A double-quoted string the rule tokenizer decodes back to exactly `text`. */
function stringLiteral(text: string, name: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) {
      throw new TypeError(`Hearth filter: {:${name}} contains a NUL character, which filters cannot hold.`);
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text.slice(i, i + 2);
        i++;
        continue;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new TypeError(`Hearth filter: {:${name}} contains a lone UTF-16 surrogate (not valid Unicode).`);
    }
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += '\\\\';
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x0d) out += '\\r';
    else if (code === 0x09) out += '\\t';
    // Other control characters are legal raw, but escaped they stay visible in logs.
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += text[i];
  }
  return `${out}"`;
}
