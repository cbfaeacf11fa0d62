import { z } from 'zod';
import { isStorableDate } from './rule-values.js';

/**
 * The `hearth.schema.json` document: its zod schema (the runtime shape) and the
 * TypeScript types inferred from it. Semantic checks that need the whole
 * document (relation targets, reserved names, rules) live in validate-document.ts.
 */

/** Collection and field names: safe SQL identifiers, never quoted-only tricks. */
export const NAME_PATTERN = /^[a-z][a-zA-Z0-9_]{0,62}$/;
export const BUCKET_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
/** A channel name or a pattern ending in `*`, e.g. `room:*` or `lobby`. */
export const CHANNEL_PATTERN = /^[a-zA-Z0-9_.:-]{1,100}\*?$|^\*$/;
export const BYTE_SIZE_PATTERN = /^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i;
export const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/i;
/** Strict ISO 8601: a date, or a date-time with seconds and a zone. */
export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2}))?$/;

export const FIELD_TYPES = [
  'text',
  'number',
  'bool',
  'date',
  'json',
  'email',
  'url',
  'select',
  'relation',
  'file',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

const name = z.string().regex(NAME_PATTERN, 'must match /^[a-z][a-zA-Z0-9_]{0,62}$/');
const rule = z
  .string()
  .max(8192)
  .nullable()
  .optional()
  .describe('A rule expression; absent or null means admin-only, "true" means public.');
const nonNegativeInt = z.number().int().min(0);

const common = {
  required: z.boolean().optional().describe('Reject records without a value.'),
  unique: z.boolean().optional(),
  hidden: z
    .boolean()
    .optional()
    .describe('Returned only to admins and service keys; nobody else may filter or sort on it.'),
  renamedFrom: name
    .optional()
    .describe('The previous name of this field; makes the change a rename, not drop-and-add.'),
  description: z.string().max(1000).optional(),
};

const textLike = {
  default: z.string().optional(),
  min: nonNegativeInt.optional().describe('Minimum length.'),
  max: nonNegativeInt.optional().describe('Maximum length.'),
};

export const textFieldSchema = z.strictObject({ type: z.literal('text'), ...common, ...textLike });
export const emailFieldSchema = z.strictObject({ type: z.literal('email'), ...common, ...textLike });
export const urlFieldSchema = z.strictObject({ type: z.literal('url'), ...common, ...textLike });
export const numberFieldSchema = z.strictObject({
  type: z.literal('number'),
  ...common,
  default: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
});
export const boolFieldSchema = z.strictObject({
  type: z.literal('bool'),
  ...common,
  default: z.boolean().optional(),
});
export const dateFieldSchema = z.strictObject({
  type: z.literal('date'),
  ...common,
  default: z.union([z.literal('now'), z.string().regex(ISO_DATE_PATTERN)]).optional(),
  min: z.string().regex(ISO_DATE_PATTERN).optional(),
  max: z.string().regex(ISO_DATE_PATTERN).optional(),
});
export const jsonFieldSchema = z.strictObject({
  type: z.literal('json'),
  ...common,
  default: z.json().optional(),
});
export const selectFieldSchema = z.strictObject({
  type: z.literal('select'),
  ...common,
  values: z.array(z.string().min(1).max(200)).min(1).max(200),
  default: z.string().optional(),
});
/** What a relation does when its target is deleted (see effectiveOnDelete). */
export const ON_DELETE_ACTIONS = ['cascade', 'setNull', 'restrict'] as const;
export type OnDeleteAction = (typeof ON_DELETE_ACTIONS)[number];

export const relationFieldSchema = z.strictObject({
  type: z.literal('relation'),
  ...common,
  to: name.describe('The target collection (or "users").'),
  many: z.boolean().optional().describe('Holds a list of ids instead of one.'),
  onDelete: z
    .enum(ON_DELETE_ACTIONS)
    .optional()
    .describe(
      'What happens to this record when a record it points at is deleted: "cascade" deletes it too, "setNull" clears the field (removes the id from a many relation), "restrict" refuses the delete. Default: "restrict" when required, else "setNull".',
    ),
  cascade: z
    .boolean()
    .optional()
    .describe('Deprecated: use "onDelete": "cascade". true is the same as "onDelete": "cascade".')
    .meta({ deprecated: true }),
  min: nonNegativeInt.optional().describe('Minimum number of ids (many only).'),
  max: nonNegativeInt.optional().describe('Maximum number of ids (many only).'),
  viewable: z
    .boolean()
    .optional()
    .describe(
      "A write may set this relation only to records the writer may view (the target's view rule); admins and service keys are exempt.",
    ),
});
export const fileFieldSchema = z.strictObject({
  type: z.literal('file'),
  ...common,
  maxSize: z.string().regex(BYTE_SIZE_PATTERN).optional(),
  types: z.array(z.string().regex(MIME_PATTERN)).max(50).optional(),
});

export const fieldSchema = z.discriminatedUnion('type', [
  textFieldSchema,
  numberFieldSchema,
  boolFieldSchema,
  dateFieldSchema,
  jsonFieldSchema,
  emailFieldSchema,
  urlFieldSchema,
  selectFieldSchema,
  relationFieldSchema,
  fileFieldSchema,
]);

export const indexSchema = z.strictObject({
  fields: z.array(name).min(1).max(16),
  unique: z.boolean().optional(),
});

export const collectionRulesSchema = z.strictObject({
  list: rule,
  view: rule,
  create: rule,
  update: rule,
  delete: rule,
});

export const collectionSchema = z.strictObject({
  fields: z.record(name, fieldSchema).optional(),
  indexes: z.array(indexSchema).max(64).optional(),
  rules: collectionRulesSchema.optional(),
  renamedFrom: name.optional().describe('The previous name of this collection.'),
  description: z.string().max(1000).optional(),
});

export const bucketSchema = z.strictObject({
  maxSize: z
    .string()
    .regex(BYTE_SIZE_PATTERN)
    .optional()
    .describe('Largest accepted object, e.g. "5MB" (1 MB = 1024 KB).'),
  types: z
    .array(z.string().regex(MIME_PATTERN))
    .max(50)
    .optional()
    .describe('Accepted media types, e.g. ["image/*"].'),
  rules: z.strictObject({ read: rule, write: rule }).optional(),
  description: z.string().max(1000).optional(),
});

export const channelSchema = z.strictObject({
  rules: z.strictObject({ join: rule, broadcast: rule, presence: rule }).optional(),
  description: z.string().max(1000).optional(),
});

export const schemaDocumentSchema = z.strictObject({
  $schema: z.string().optional(),
  collections: z.record(name, collectionSchema).optional(),
  buckets: z.record(z.string().regex(BUCKET_NAME_PATTERN), bucketSchema).optional(),
  channels: z.record(z.string().regex(CHANNEL_PATTERN), channelSchema).optional(),
});

export type SchemaDocument = z.infer<typeof schemaDocumentSchema>;
export type CollectionDefinition = z.infer<typeof collectionSchema>;
export type FieldDefinition = z.infer<typeof fieldSchema>;
export type IndexDefinition = z.infer<typeof indexSchema>;
export type CollectionRules = z.infer<typeof collectionRulesSchema>;
export type BucketDefinition = z.infer<typeof bucketSchema>;
export type ChannelDefinition = z.infer<typeof channelSchema>;
export type RelationFieldDefinition = z.infer<typeof relationFieldSchema>;

/**
 * The onDelete a relation field means: its own `onDelete`, else the
 * deprecated `cascade: true`, else "restrict" for a required field (it cannot
 * be cleared) and "setNull" for an optional one.
 */
export function effectiveOnDelete(
  field: Pick<RelationFieldDefinition, 'onDelete' | 'cascade' | 'required'>,
): OnDeleteAction {
  if (field.onDelete !== undefined) return field.onDelete;
  if (field.cascade === true) return 'cascade';
  return field.required === true ? 'restrict' : 'setNull';
}
export type CollectionRuleName = keyof CollectionRules;
export const COLLECTION_RULE_NAMES: readonly CollectionRuleName[] = [
  'list',
  'view',
  'create',
  'update',
  'delete',
];

/** Bytes in a size like "5MB" (binary multiples: 1 KB = 1024 B). */
export function parseByteSize(size: string): number {
  const match = BYTE_SIZE_PATTERN.exec(size.trim());
  if (!match) throw new TypeError(`not a size: ${size}`);
  const unit = (match[2] ?? 'B').toUpperCase();
  const factor = unit.startsWith('G')
    ? 1024 ** 3
    : unit.startsWith('M')
      ? 1024 ** 2
      : unit.startsWith('K')
        ? 1024
        : 1;
  return Math.floor(parseFloat(size) * factor);
}

/** Milliseconds for a strict ISO 8601 date or date-time (with a zone), or NaN; Feb 30 and year 0000 are NaN. */
export function parseIsoDate(value: string): number {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2}):(\d{2})))?$/.exec(
      value,
    );
  if (!match) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', oh = '0', om = '0'] = match.map((part) => part ?? '0');
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) return NaN;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return isStorableDate(ms) ? ms : NaN;
}
