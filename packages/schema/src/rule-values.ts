import type { CompareOperator, RuleFunction, ValueType } from './checked-rule.js';

/**
 * The value semantics shared by the JS evaluator and the SQL compiler's
 * constant folding, so both back ends agree by construction.
 */

/** The value of a path that went through a missing record (`auth.id` signed out, a null relation). */
export const ABSENT: unique symbol = Symbol('absent');
export type Absent = typeof ABSENT;
export type RuleValue =
  string | number | boolean | null | Absent | readonly RuleValue[] | { readonly [key: string]: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids are lowercase uuids, as PostgreSQL prints them. */
export function canonicalId(value: string): string {
  return UUID.test(value) ? value.toLowerCase() : value;
}

export function isCanonicalUuid(value: string): boolean {
  return CANONICAL_UUID.test(value);
}

/** Reads a property only if the object owns it: `__proto__` and `constructor` are just missing. */
export function ownProperty(object: unknown, key: string): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return undefined;
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

/** Brings a raw value (from a record, `auth`, `data`) to the rule type; anything else is null. */
export function normalizeValue(raw: unknown, type: ValueType): RuleValue {
  if (raw === undefined || raw === null) return null;
  switch (type.kind) {
    case 'string':
      return typeof raw === 'string' ? raw : null;
    case 'id':
      if (typeof raw === 'string') return canonicalId(raw);
      // A pre-expanded relation: the related record itself.
      if (typeof raw === 'object' && !Array.isArray(raw)) {
        const id = ownProperty(raw, 'id');
        return typeof id === 'string' ? canonicalId(id) : null;
      }
      return null;
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
    case 'bool':
      return typeof raw === 'boolean' ? raw : null;
    case 'date':
      return dateMillis(raw);
    case 'list':
      return Array.isArray(raw) ? raw.map((item: unknown) => normalizeValue(item, type.element)) : null;
    case 'json':
      return raw as RuleValue;
    case 'record':
      return typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
    case 'null':
      return null;
  }
}

/**
 * The dates both back ends can hold: 0001-01-01 to 9999-12-31 (UTC). PostgreSQL
 * has no year 0 and reads only four-digit years in ISO text, so a date outside
 * this range can never be bound as a parameter.
 */
export const MIN_DATE_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const MAX_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');

export function isStorableDate(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

/** Dates compare as milliseconds since the epoch; one outside the storable range is no date (null). */
export function dateMillis(raw: unknown): number | null {
  let ms: number;
  if (raw instanceof Date) ms = raw.getTime();
  else if (typeof raw === 'string') ms = Date.parse(raw);
  else if (typeof raw === 'number') ms = raw;
  else return null;
  return isStorableDate(ms) ? ms : null;
}

/** `==` is null-safe (null == null); ordering with null is false. Operands are never ABSENT here. */
export function compareValues(op: CompareOperator, a: RuleValue, b: RuleValue): boolean {
  if (op === '==') return valuesEqual(a, b);
  if (op === '!=') return !valuesEqual(a, b);
  if (a === null || b === null) return false;
  let order: number;
  if (typeof a === 'string' && typeof b === 'string') order = compareCodePoints(a, b);
  else if (typeof a === 'number' && typeof b === 'number') order = a < b ? -1 : a > b ? 1 : 0;
  else return false;
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function valuesEqual(a: RuleValue, b: RuleValue): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return a === b;
}

/** `x in list`: false when x or the list is null. */
export function listIncludes(list: RuleValue, needle: RuleValue): boolean {
  if (needle === null || needle === ABSENT || !Array.isArray(list)) return false;
  return (list as readonly RuleValue[]).some((item) => item !== null && item === needle);
}

/** Code point order, which is PostgreSQL's `COLLATE "C"` order for UTF-8. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    // A surrogate (a code point above U+FFFF) sorts after every BMP character.
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const ASCII_UPPER = UPPER;
export const ASCII_LOWER = LOWER;

/** lower/upper map ASCII letters only, so the result never depends on a database locale. */
export function asciiLower(value: string): string {
  return value.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function asciiUpper(value: string): string {
  return value.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 32));
}

/** Functions return null for a null argument and ABSENT for an absent one. */
export function applyFunction(fn: RuleFunction, args: readonly RuleValue[]): RuleValue {
  if (args.includes(ABSENT)) return ABSENT;
  if (args.includes(null)) return null;
  const [a, b] = args;
  switch (fn) {
    case 'size':
      if (typeof a === 'string') return [...a].length;
      return Array.isArray(a) ? a.length : null;
    case 'lower':
      return typeof a === 'string' ? asciiLower(a) : null;
    case 'upper':
      return typeof a === 'string' ? asciiUpper(a) : null;
    case 'startsWith':
      return typeof a === 'string' && typeof b === 'string' ? a.startsWith(b) : null;
    case 'endsWith':
      return typeof a === 'string' && typeof b === 'string' ? a.endsWith(b) : null;
    case 'contains':
      return typeof a === 'string' && typeof b === 'string' ? a.includes(b) : null;
  }
}

export function concatValues(a: RuleValue, b: RuleValue): RuleValue {
  if (a === ABSENT || b === ABSENT) return ABSENT;
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  return a + b;
}
