export { RuleError, isRuleError, type RuleErrorCode } from './rule-error.js';
export { positionAt, caretExcerpt, type SourcePosition } from './source-text.js';
export { DEFAULT_RULE_LIMITS, type RuleLimits } from './rule-limits.js';
export type { RuleNode, ParsedRule, BinaryOperator } from './rule-ast.js';
export { parseRule, type ParseRuleOptions } from './parse-rule.js';
export { checkRule, checkFilter, type CheckRuleOptions } from './check-rule.js';
export type {
  CheckedRule,
  CheckedExpr,
  RuleKind,
  ValueType,
  RuleRoot,
  PathStep,
  RuleFunction,
  CompareOperator,
  ViewRuleLookup,
} from './checked-rule.js';
export {
  evaluateRule,
  type RuleContext,
  type RecordLike,
  type RelatedRecordResolver,
} from './evaluate-rule.js';
export {
  compileRuleToSql,
  defaultTableFor,
  type CompileRuleOptions,
  type CompiledSql,
} from './compile-rule-to-sql.js';
export { parseSort, compileSortToSql, type SortKey, type ParseSortOptions } from './parse-sort.js';
export {
  schemaModel,
  toSchemaModel,
  sqlColumnType,
  quoteIdentifier,
  USERS_COLLECTION,
  DEFAULT_USERS_RULES,
  SYSTEM_FIELD_NAMES,
  BUILTIN_USER_FIELD_NAMES,
  RESERVED_FIELD_NAMES,
  RESERVED_USER_FIELD_NAMES,
  RESERVED_COLLECTION_NAMES,
  type SchemaModel,
  type CollectionModel,
  type FieldModel,
} from './schema-model.js';
export {
  schemaDocumentSchema,
  parseByteSize,
  effectiveOnDelete,
  ON_DELETE_ACTIONS,
  FIELD_TYPES,
  COLLECTION_RULE_NAMES,
  NAME_PATTERN,
  type SchemaDocument,
  type CollectionDefinition,
  type FieldDefinition,
  type FieldType,
  type OnDeleteAction,
  type RelationFieldDefinition,
  type IndexDefinition,
  type CollectionRules,
  type CollectionRuleName,
  type BucketDefinition,
  type ChannelDefinition,
} from './document.js';
export { SchemaError, type SchemaIssue, type SchemaIssueCode } from './schema-error.js';
export {
  validateSchemaDocument,
  parseSchemaDocument,
  assertSchemaDocument,
  type SchemaValidationResult,
  type ValidateSchemaOptions,
} from './validate-document.js';
export {
  parseJsonWithLocations,
  jsonPointer,
  JsonSyntaxError,
  type LocatedJson,
  type JsonLocation,
  type JsonPath,
} from './locate-json.js';
export { schemaDocumentJsonSchema, JSON_SCHEMA_FILE } from './json-schema.js';
export {
  diffSchemas,
  type SchemaPlan,
  type PlanStep,
  type PlanStepKind,
  type OptionChange,
} from './diff-schema.js';
export { isStorableDate, MIN_DATE_MS, MAX_DATE_MS } from './rule-values.js';
export { filterCost, type FilterCost } from './filter-cost.js';
export { didYouMean } from './suggest-name.js';
export { relationPathsOf, type RelationPath } from './relation-paths.js';
export { matchChannel } from './match-channel.js';
export {
  accessDecision,
  allowsAccess,
  closedOperation,
  collectionRuleSet,
  collectionRuleSets,
  isOwnRecord,
  seesField,
  visibleRecord,
  type AccessDecision,
  type AccessViewer,
  type CollectionRuleSet,
} from './collection-access.js';
