/**
 * The order statements run in, whichever plan step they belong to: what
 * depends on a name goes before the name is renamed or dropped, and
 * constraints come after every table and column they name exists.
 */
export const DDL_PHASE = {
  /** Foreign keys and delete triggers that go. */
  dropDerived: 1,
  dropIndex: 2,
  renameCollection: 3,
  renameField: 4,
  dropField: 5,
  dropCollection: 6,
  createCollection: 7,
  addField: 8,
  changeFieldType: 9,
  /** Constraints and indexes whose derived names follow a rename. */
  renameDerived: 11,
  addIndex: 12,
  /** Foreign keys and delete triggers that come. */
  addDerived: 13,
} as const;

export type DdlPhase = (typeof DDL_PHASE)[keyof typeof DDL_PHASE];
