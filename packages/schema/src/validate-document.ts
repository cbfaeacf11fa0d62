import type { z } from 'zod';
import { checkRule } from './check-rule.js';
import type { RuleKind } from './checked-rule.js';
import { effectiveOnDelete, parseIsoDate, schemaDocumentSchema, type SchemaDocument } from './document.js';
import {
  JsonSyntaxError,
  jsonPointer,
  locate,
  offsetInString,
  parseJsonWithLocations,
  type LocatedJson,
} from './locate-json.js';
import { RuleError } from './rule-error.js';
import { SchemaError, type SchemaIssue, type SchemaIssueCode } from './schema-error.js';
import {
  BUILTIN_USER_FIELD_NAMES,
  RESERVED_COLLECTION_NAMES,
  RESERVED_FIELD_NAMES,
  RESERVED_USER_FIELD_NAMES,
  USERS_COLLECTION,
  schemaModel,
} from './schema-model.js';
import { positionAt } from './source-text.js';
import type { RuleLimits } from './rule-limits.js';

export type SchemaValidationResult =
  { ok: true; document: SchemaDocument; issues: [] } | { ok: false; document: null; issues: SchemaIssue[] };

export interface ValidateSchemaOptions {
  /** Limits for the rules in the document (default: 8 KiB per rule, otherwise the rule defaults). */
  ruleLimits?: Partial<RuleLimits>;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_COLLECTIONS = 500;
const MAX_FIELDS = 500;
type Path = (string | number)[];
type AddIssue = (path: Path, detail: string, code?: SchemaIssueCode, rule?: RuleError) => void;
const KEY_PROBLEM = /^(unknown key|invalid name|the key|"[^"]*" is (a reserved|a built-in))/;

/** Validates a parsed document: its shape, then names, relations, indexes and every rule. */
export function validateSchemaDocument(
  input: unknown,
  options: ValidateSchemaOptions = {},
): SchemaValidationResult {
  return validate(input, null, options);
}

/** Validates `hearth.schema.json` text; issues carry the line and column in the text. */
export function parseSchemaDocument(
  text: string,
  options: ValidateSchemaOptions = {},
): SchemaValidationResult {
  let located: LocatedJson;
  try {
    located = parseJsonWithLocations(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const { line, col } = error.position;
    return {
      ok: false,
      document: null,
      issues: [
        {
          code: 'schema/json-syntax',
          path: [],
          pointer: '',
          message: `${line}:${col}: ${error.detail}`,
          line,
          col,
        },
      ],
    };
  }
  return validate(located.value, located, options);
}

/** Like validateSchemaDocument, but throws a SchemaError. */
export function assertSchemaDocument(input: unknown, options: ValidateSchemaOptions = {}): SchemaDocument {
  const result =
    typeof input === 'string' ? parseSchemaDocument(input, options) : validateSchemaDocument(input, options);
  if (!result.ok) throw new SchemaError(result.issues);
  return result.document;
}

function validate(
  input: unknown,
  located: LocatedJson | null,
  options: ValidateSchemaOptions,
): SchemaValidationResult {
  const issues: SchemaIssue[] = [];
  const add: AddIssue = (path, detail, code = 'schema/invalid', rule) => {
    const pointer = jsonPointer(path);
    const issue: SchemaIssue = { code, path, pointer, message: `${pointer || '/'}: ${detail}` };
    if (rule) issue.rule = rule;
    if (located) {
      const found = locate(located, path);
      if (found) {
        // Problems with a name point at the key; problems with a value at the value.
        const atKey = found.exact && code === 'schema/invalid' && KEY_PROBLEM.test(detail);
        let offset = atKey ? (found.location.keyStart ?? found.location.start) : found.location.start;
        if (rule && found.exact) offset = offsetInString(located.text, found.location, rule.position.offset);
        const { line, col } = positionAt(located.text, offset);
        issue.line = line;
        issue.col = col;
      }
    }
    issues.push(issue);
  };

  findForbiddenKeys(input, [], add);
  if (issues.length > 0) return { ok: false, document: null, issues };

  const parsed = schemaDocumentSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) addZodIssue(issue, add);
    return { ok: false, document: null, issues };
  }
  const document = parsed.data;
  checkSemantics(document, add, options);
  if (issues.length > 0) return { ok: false, document: null, issues };
  return { ok: true, document, issues: [] };
}

function findForbiddenKeys(value: unknown, path: Path, add: AddIssue, depth = 0): void {
  if (depth > 64 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => findForbiddenKeys(item, [...path, i], add, depth + 1));
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) add([...path, key], `the key "${key}" is not allowed`);
    else findForbiddenKeys((value as Record<string, unknown>)[key], [...path, key], add, depth + 1);
  }
}

function addZodIssue(issue: z.core.$ZodIssue, add: AddIssue): void {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) add([...path, key], `unknown key "${key}"`);
    return;
  }
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    add(path, `invalid name ${JSON.stringify(key)}: ${issue.issues[0]?.message ?? 'not allowed'}`);
    return;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'type') {
    add(
      path[path.length - 1] === 'type' ? path : [...path, 'type'],
      'unknown field type (text, number, bool, date, json, email, url, select, relation, file)',
    );
    return;
  }
  add(path, issue.message);
}

function checkSemantics(document: SchemaDocument, add: AddIssue, options: ValidateSchemaOptions): void {
  const collections = document.collections ?? {};
  const names = Object.keys(collections);
  if (names.length > MAX_COLLECTIONS) add(['collections'], `at most ${MAX_COLLECTIONS} collections`);
  const known = new Set([...names, USERS_COLLECTION]);
  const renamedFrom = new Map<string, string>();

  for (const [name, collection] of Object.entries(collections)) {
    const at: Path = ['collections', name];
    if (RESERVED_COLLECTION_NAMES.has(name)) add(at, `"${name}" is a reserved collection name`);
    if (collection.renamedFrom !== undefined) {
      const from = collection.renamedFrom;
      if (name === USERS_COLLECTION || from === USERS_COLLECTION)
        add([...at, 'renamedFrom'], 'the users collection cannot be renamed');
      else if (from === name) add([...at, 'renamedFrom'], 'a collection cannot be renamed from itself');
      else if (known.has(from)) add([...at, 'renamedFrom'], `"${from}" still exists in this document`);
      else if (renamedFrom.has(from))
        add([...at, 'renamedFrom'], `"${renamedFrom.get(from) ?? ''}" is already renamed from "${from}"`);
      renamedFrom.set(from, name);
    }

    const fields = collection.fields ?? {};
    const fieldNames = Object.keys(fields);
    if (fieldNames.length > MAX_FIELDS) add([...at, 'fields'], `at most ${MAX_FIELDS} fields`);
    const fieldRenames = new Map<string, string>();
    for (const [fieldName, field] of Object.entries(fields)) {
      const fat: Path = [...at, 'fields', fieldName];
      if (RESERVED_FIELD_NAMES.has(fieldName)) add(fat, `"${fieldName}" is a reserved name`);
      if (
        name === USERS_COLLECTION &&
        ((BUILTIN_USER_FIELD_NAMES as readonly string[]).includes(fieldName) ||
          (RESERVED_USER_FIELD_NAMES as readonly string[]).includes(fieldName))
      ) {
        add(fat, `"${fieldName}" is a built-in field of users`);
      }
      if (field.renamedFrom !== undefined) {
        const from = field.renamedFrom;
        if (from === fieldName) add([...fat, 'renamedFrom'], 'a field cannot be renamed from itself');
        else if (Object.hasOwn(fields, from))
          add([...fat, 'renamedFrom'], `"${from}" still exists in this collection`);
        else if (RESERVED_FIELD_NAMES.has(from)) add([...fat, 'renamedFrom'], `"${from}" is a reserved name`);
        else if (fieldRenames.has(from))
          add([...fat, 'renamedFrom'], `"${fieldRenames.get(from) ?? ''}" is already renamed from "${from}"`);
        fieldRenames.set(from, fieldName);
      }
      const hasMin = 'min' in field && field.min !== undefined;
      const hasMax = 'max' in field && field.max !== undefined;
      if (hasMin && hasMax && (field.min as number | string) > (field.max as number | string))
        add([...fat, 'min'], 'min is greater than max');
      switch (field.type) {
        case 'relation':
          if (!known.has(field.to)) add([...fat, 'to'], `unknown collection "${field.to}"`);
          if (field.cascade === true && field.onDelete !== undefined && field.onDelete !== 'cascade')
            add(
              [...fat, 'cascade'],
              `"cascade": true contradicts "onDelete": "${field.onDelete}" (cascade is deprecated; keep onDelete)`,
            );
          if (name === USERS_COLLECTION && effectiveOnDelete(field) === 'cascade')
            add(
              [...fat, field.onDelete !== undefined ? 'onDelete' : 'cascade'],
              'a relation of users cannot cascade: deleting a record must not delete user accounts (use "setNull" or "restrict"; delete users through the admin API)',
            );
          if (field.onDelete === 'setNull' && field.required === true)
            add(
              [...fat, 'onDelete'],
              'a required relation cannot be set to null; use "restrict" or "cascade", or make it optional',
            );
          if (!field.many && (field.min !== undefined || field.max !== undefined))
            add(
              [...fat, field.min !== undefined ? 'min' : 'max'],
              'min and max apply to many relations only',
            );
          if (field.many && field.unique) add([...fat, 'unique'], 'a many relation cannot be unique');
          break;
        case 'select':
          if (new Set(field.values).size !== field.values.length)
            add([...fat, 'values'], 'values must be distinct');
          if (field.default !== undefined && !field.values.includes(field.default))
            add([...fat, 'default'], `default "${field.default}" is not one of the values`);
          break;
        case 'number':
          if (field.default !== undefined) {
            if (field.integer && !Number.isInteger(field.default))
              add([...fat, 'default'], 'default is not an integer');
            if (
              (field.min !== undefined && field.default < field.min) ||
              (field.max !== undefined && field.default > field.max)
            )
              add([...fat, 'default'], 'default is outside min..max');
          }
          break;
        case 'text':
        case 'email':
        case 'url':
          if (
            field.default !== undefined &&
            ((field.min !== undefined && field.default.length < field.min) ||
              (field.max !== undefined && field.default.length > field.max))
          ) {
            add([...fat, 'default'], 'default length is outside min..max');
          }
          break;
        case 'date':
          for (const key of ['min', 'max', 'default'] as const) {
            const value = field[key];
            if (value !== undefined && value !== 'now' && !Number.isFinite(parseIsoDate(value)))
              add([...fat, key], `"${value}" is not a valid date`);
          }
          break;
        case 'json':
          if (field.unique) add([...fat, 'unique'], 'a json field cannot be unique');
          break;
        default:
          break;
      }
    }

    const model = schemaModel(document).collections.get(name);
    const seenIndexes = new Set<string>();
    (collection.indexes ?? []).forEach((index, i) => {
      const iat: Path = [...at, 'indexes', i];
      const key = `${index.unique ? 'u' : ''}:${index.fields.join(',')}`;
      if (seenIndexes.has(key)) add(iat, 'duplicate index');
      seenIndexes.add(key);
      if (new Set(index.fields).size !== index.fields.length)
        add([...iat, 'fields'], 'a field appears twice');
      index.fields.forEach((fieldName, j) => {
        const field = model?.fields.get(fieldName);
        if (!field) add([...iat, 'fields', j], `unknown field "${fieldName}"`);
        else if (field.type === 'json' || field.many)
          add(
            [...iat, 'fields', j],
            `cannot index ${field.type === 'json' ? 'a json field' : 'a many relation'}`,
          );
      });
    });

    for (const kind of ['list', 'view', 'create', 'update', 'delete'] as const) {
      const source = collection.rules?.[kind];
      if (typeof source === 'string')
        checkDocumentRule(document, source, kind, name, [...at, 'rules', kind], add, options);
    }
  }

  for (const [name, bucket] of Object.entries(document.buckets ?? {})) {
    for (const kind of ['read', 'write'] as const) {
      const source = bucket.rules?.[kind];
      if (typeof source === 'string')
        checkDocumentRule(document, source, kind, null, ['buckets', name, 'rules', kind], add, options);
    }
  }
  for (const [pattern, channel] of Object.entries(document.channels ?? {})) {
    for (const kind of ['join', 'broadcast', 'presence'] as const) {
      const source = channel.rules?.[kind];
      if (typeof source === 'string')
        checkDocumentRule(document, source, kind, null, ['channels', pattern, 'rules', kind], add, options);
    }
  }
}

function checkDocumentRule(
  document: SchemaDocument,
  source: string,
  kind: RuleKind,
  collection: string | null,
  path: Path,
  add: AddIssue,
  options: ValidateSchemaOptions,
): void {
  try {
    checkRule(source, {
      schema: document,
      kind,
      ...(collection ? { collection } : {}),
      label: path.join('.'),
      limits: { maxLength: 8192, ...options.ruleLimits },
    });
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    add(path, `${error.detail} (rule ${error.line}:${error.col})`, error.code, error);
  }
}
