import { isStorableDate, type FieldDefinition, type FieldModel } from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { LiveCollection } from './live-schema.js';

/** One problem per field: `{ field: message }`, the shape of `details.fields` on a 400. */
export type FieldErrors = Record<string, { code: string; message: string }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const SYSTEM = new Set(['id', 'createdAt', 'updatedAt']);
/** Large enough for real documents, small enough that one field cannot fill the body limit alone. */
const MAX_TEXT = 1_000_000;
const MAX_IDS = 1000;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The record id of a path, lower-cased; one that is not a uuid is missing like any other (404). */
export function recordIdOf(id: string): string {
  if (!UUID.test(id)) throw new HearthError('records/not-found');
  return id.toLowerCase();
}

export function validationError(fields: FieldErrors): HearthError {
  const count = Object.keys(fields).length;
  return new HearthError('validation/failed', `${count} field${count === 1 ? ' is' : 's are'} invalid.`, {
    details: { fields },
  });
}

function checkValue(
  field: FieldDefinition,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; code: string; message: string } {
  const fail = (code: string, message: string) => ({ ok: false as const, code, message });
  switch (field.type) {
    case 'text':
    case 'email':
    case 'url':
    case 'file': {
      if (typeof value !== 'string') return fail('type', 'must be a string');
      if (value.length > MAX_TEXT) return fail('max', `must be at most ${MAX_TEXT} characters`);
      if (field.type !== 'file') {
        const length = [...value].length;
        if (field.min !== undefined && length < field.min)
          return fail('min', `must be at least ${field.min} characters`);
        if (field.max !== undefined && length > field.max)
          return fail('max', `must be at most ${field.max} characters`);
      }
      if (field.type === 'email' && value !== '' && !EMAIL.test(value))
        return fail('format', 'must be an email address');
      if (field.type === 'url' && value !== '') {
        let ok = false;
        try {
          const url = new URL(value);
          ok = url.protocol === 'http:' || url.protocol === 'https:';
        } catch {
          ok = false;
        }
        if (!ok) return fail('format', 'must be an http(s) URL');
      }
      // NUL cannot be stored in PostgreSQL text; say so instead of failing in the database.
      if (value.includes('\u0000')) return fail('format', 'must not contain NUL characters');
      return { ok: true, value };
    }
    case 'select':
      if (typeof value !== 'string' || !field.values.includes(value)) {
        return fail('select', `must be one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}`);
      }
      return { ok: true, value };
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        return fail('type', 'must be a finite number');
      if (field.integer && !Number.isInteger(value)) return fail('integer', 'must be a whole number');
      if (field.min !== undefined && value < field.min) return fail('min', `must be at least ${field.min}`);
      if (field.max !== undefined && value > field.max) return fail('max', `must be at most ${field.max}`);
      return { ok: true, value };
    case 'bool':
      if (typeof value !== 'boolean') return fail('type', 'must be true or false');
      return { ok: true, value };
    case 'date': {
      if (typeof value !== 'string' || !ISO_DATE.test(value)) return fail('type', 'must be an ISO 8601 date');
      const ms = Date.parse(value);
      if (!isStorableDate(ms)) return fail('type', 'must be an ISO 8601 date from 0001-01-01 to 9999-12-31');
      if (field.min !== undefined && ms < Date.parse(field.min))
        return fail('min', `must be on or after ${field.min}`);
      if (field.max !== undefined && ms > Date.parse(field.max))
        return fail('max', `must be on or before ${field.max}`);
      return { ok: true, value: new Date(ms).toISOString() };
    }
    case 'json':
      if (JSON.stringify(value).includes('\\u0000')) return fail('format', 'must not contain NUL characters');
      return { ok: true, value };
    case 'relation': {
      if (!field.many) {
        if (typeof value !== 'string' || !isUuid(value)) return fail('type', 'must be a record id');
        return { ok: true, value: value.toLowerCase() };
      }
      if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || !isUuid(id))) {
        return fail('type', 'must be a list of record ids');
      }
      const ids = [...new Set((value as string[]).map((id) => id.toLowerCase()))];
      if (ids.length > MAX_IDS) return fail('max', `must hold at most ${MAX_IDS} ids`);
      if (field.min !== undefined && ids.length < field.min)
        return fail('min', `must hold at least ${field.min} ids`);
      if (field.max !== undefined && ids.length > field.max)
        return fail('max', `must hold at most ${field.max} ids`);
      return { ok: true, value: ids };
    }
  }
}

function isEmpty(field: FieldDefinition, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string' && value === '' && field.type !== 'json') return true;
  return Array.isArray(value) && field.type === 'relation' && value.length === 0;
}

function defaultOf(field: FieldDefinition): unknown {
  if (!('default' in field) || field.default === undefined) return undefined;
  if (field.type === 'date' && field.default === 'now') return new Date().toISOString();
  if (field.type === 'date') return new Date(Date.parse(field.default)).toISOString();
  return structuredClone(field.default);
}

/**
 * Checks a record body against the collection's fields. On create every
 * field is present in the result (defaults applied, else null); on update
 * only the fields the body sets. System fields and unknown keys are refused,
 * never silently dropped, so a typo cannot look like a successful write.
 */
export function validateRecordInput(
  collection: LiveCollection,
  body: unknown,
  mode: 'create' | 'update',
): Map<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HearthError('validation/failed', 'The body must be a JSON object of field values.');
  }
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  const values = new Map<string, unknown>();
  for (const key of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[key];
    if (SYSTEM.has(key)) {
      errors[key] = { code: 'read-only', message: `${key} is set by the server` };
      continue;
    }
    const field: FieldModel | undefined = collection.writable.get(key);
    if (!field?.definition) {
      const builtin = collection.model.fields.has(key);
      errors[key] = builtin
        ? { code: 'read-only', message: `${key} cannot be changed through the record API` }
        : { code: 'unknown', message: `${collection.name} has no field "${key}"` };
      continue;
    }
    const definition = field.definition;
    if (definition.required && isEmpty(definition, value)) {
      errors[key] = { code: 'required', message: 'is required' };
      continue;
    }
    if (value === null) {
      values.set(key, definition.type === 'relation' && definition.many ? [] : null);
      continue;
    }
    const checked = checkValue(definition, value);
    if (checked.ok) values.set(key, checked.value);
    else errors[key] = { code: checked.code, message: checked.message };
  }
  if (mode === 'create') {
    for (const field of collection.writable.values()) {
      const definition = field.definition;
      if (!definition || values.has(field.name) || Object.hasOwn(errors, field.name)) continue;
      const fallback = defaultOf(definition);
      if (fallback !== undefined) values.set(field.name, fallback);
      else if (definition.required) errors[field.name] = { code: 'required', message: 'is required' };
      else values.set(field.name, definition.type === 'relation' && definition.many ? [] : null);
    }
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
  return values;
}
