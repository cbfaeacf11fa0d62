import { USERS_COLLECTION, type SchemaDocument } from '@hearth/schema';

/** Columns of hearth.users the auth service owns; profile fields cannot take these names. */
export const USERS_TABLE_COLUMNS: ReadonlySet<string> = new Set([
  'id',
  'email',
  'emailVerified',
  'verified',
  'role',
  'anonymous',
  'disabled',
  'metadata',
  'createdAt',
  'updatedAt',
  'passwordHash',
  'passwordChangedAt',
  'totpSecret',
  'totpPendingSecret',
  'totpLastStep',
]);

export { DEFAULT_USERS_RULES } from '@hearth/schema';

export interface ServerSchemaIssue {
  code: string;
  path: (string | number)[];
  pointer: string;
  message: string;
}

/**
 * Checks only the server can make: profile fields of users become columns of
 * hearth.users, so they must not collide with the columns auth keeps there.
 */
export function checkUsersProfileFields(document: SchemaDocument): ServerSchemaIssue[] {
  const fields = document.collections?.[USERS_COLLECTION]?.fields ?? {};
  return Object.keys(fields)
    .filter((name) => USERS_TABLE_COLUMNS.has(name))
    .map((name) => {
      const path = ['collections', USERS_COLLECTION, 'fields', name];
      const pointer = `/${path.join('/')}`;
      return {
        code: 'schema/invalid',
        path,
        pointer,
        message: `${pointer}: "${name}" is a column of hearth.users that auth owns`,
      };
    });
}
