import {
  COLLECTION_RULE_NAMES,
  DEFAULT_USERS_RULES,
  USERS_COLLECTION,
  checkRule,
  schemaModel,
  type CheckedRule,
  type CollectionRuleName,
  type SchemaDocument,
  type SchemaModel,
} from '@hearth/schema';

export { DEFAULT_USERS_RULES };

export interface RuleSet {
  /** The rule text, or null when the operation is admin-only. */
  source: Record<CollectionRuleName, string | null>;
  checked: Record<CollectionRuleName, CheckedRule | null>;
  /** Whether each rule was written in the document (not a built-in default). */
  declared: Record<CollectionRuleName, boolean>;
}

/** Every collection's rules, checked once, exactly as the server builds its live schema. */
export function collectionRules(document: SchemaDocument): {
  model: SchemaModel;
  rules: Map<string, RuleSet>;
} {
  const model = schemaModel(document);
  const rules = new Map<string, RuleSet>();
  for (const [name, collection] of model.collections) {
    const definition = collection.definition ?? {};
    const builtin = name === USERS_COLLECTION;
    const sources: Partial<Record<CollectionRuleName, string | null | undefined>> =
      builtin && definition.rules === undefined ? DEFAULT_USERS_RULES : (definition.rules ?? {});
    const set: RuleSet = {
      source: { list: null, view: null, create: null, update: null, delete: null },
      checked: { list: null, view: null, create: null, update: null, delete: null },
      declared: { list: false, view: false, create: false, update: false, delete: false },
    };
    for (const op of COLLECTION_RULE_NAMES) {
      const source = sources[op];
      // Accounts are created through the auth API, never the record API.
      if (typeof source !== 'string' || (builtin && op === 'create')) continue;
      set.source[op] = source;
      set.declared[op] = definition.rules !== undefined;
      set.checked[op] = checkRule(source, {
        schema: model,
        kind: op,
        collection: name,
        label: `collections.${name}.rules.${op}`,
      });
    }
    rules.set(name, set);
  }
  return { model, rules };
}
