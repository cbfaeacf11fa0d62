import type { TestApp } from './test-app.js';

/**
 * Inserts a row straight into `app.<collection>`, past the rules and the
 * record API (seed data a test then reads through the API); returns its id.
 */
export async function insertTestRecord(
  app: TestApp,
  collection: string,
  row: Record<string, unknown>,
): Promise<string> {
  const columns = Object.keys(row);
  const names = columns.map((column) => `"${column}"`).join(', ');
  const values = columns.map((_, index) => `$${index + 1}`).join(', ');
  const { rows } = await app.hearth.pool.query<{ id: string }>(
    `INSERT INTO app."${collection}" (${names}) VALUES (${values}) RETURNING id`,
    Object.values(row),
  );
  const id = rows[0]?.id;
  if (!id) throw new Error(`inserting into app.${collection} returned no id`);
  return id;
}
