import {
  parseSchemaDocument,
  validateSchemaDocument,
  type SchemaDocument,
  type SchemaIssue,
} from '@hearth/schema';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { HearthError, isHearthError } from '../errors/index.js';
import { buildLiveSchema, type LiveSchema } from './live-schema.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { compileSchemaPlan, type CompiledSchemaPlan, type CompiledStep } from './compile-schema-plan.js';
import { EXISTING_DELETE_TRIGGERS_SQL } from './delete-triggers.js';
import { checkUsersProfileFields } from './users-collection.js';

/** A schema problem as the API returns it: the issue, with the rule error flattened. */
export interface SchemaProblem {
  code: string;
  path: (string | number)[];
  pointer: string;
  message: string;
  /** In the document text, when the schema was sent as text. */
  line?: number;
  col?: number;
  /** For rule errors: the position inside the rule and a caret excerpt. */
  rule?: { line: number; col: number; excerpt: string; message: string };
}

function toProblem(issue: SchemaIssue): SchemaProblem {
  const problem: SchemaProblem = {
    code: issue.code,
    path: issue.path,
    pointer: issue.pointer,
    message: issue.message,
  };
  if (issue.line !== undefined) problem.line = issue.line;
  if (issue.col !== undefined) problem.col = issue.col;
  if (issue.rule) {
    problem.rule = {
      line: issue.rule.line,
      col: issue.rule.col,
      excerpt: issue.rule.excerpt,
      message: issue.rule.message,
    };
  }
  return problem;
}

/** Validates a document sent as JSON, or as the text of hearth.schema.json (then issues have line:col). */
function validate(
  input: unknown,
): { ok: true; document: SchemaDocument } | { ok: false; errors: SchemaProblem[] } {
  const result = typeof input === 'string' ? parseSchemaDocument(input) : validateSchemaDocument(input);
  if (!result.ok) return { ok: false, errors: result.issues.map(toProblem) };
  const extra = checkUsersProfileFields(result.document);
  if (extra.length > 0) return { ok: false, errors: extra };
  return { ok: true, document: result.document };
}

/** Any 64-bit number unique to schema pushes; every node agrees on it. */
const SCHEMA_LOCK = 0x48_65_61_72_74_68_53n; // "HearthS"

export interface ApplySchemaInput {
  schema: unknown;
  dryRun: boolean;
  allowDestructive: boolean;
  /** The version the caller planned against; a different current version is a conflict. */
  ifVersion?: number | null | undefined;
}

export interface SchemaPlanResult {
  /**
   * The steps, from @hearth/schema's diffSchemas (the CLI shows the same plan
   * offline), each with the statements it runs.
   */
  plan: CompiledStep[];
  /** Whether any step is destructive. */
  destructive: boolean;
  errors: SchemaProblem[];
  /** The statements that run (or would run) in PostgreSQL, in order: the steps' and the repairs'. */
  sql: string[];
  /** Statements that bring the database's delete triggers back in line, whatever the plan (usually none). */
  repairs: string[];
  /** Whether the database was changed. */
  applied: boolean;
  /** The current version after this call (the new one when applied). */
  version: number | null;
}

export interface SchemaVersionInfo {
  id: number;
  appliedAt: string;
  appliedBy: string | null;
  steps: number;
}

interface VersionRow {
  id: string;
  document: SchemaDocument;
  applied_at: Date;
}

function actorOf(principal: Principal): string | null {
  if (principal.kind === 'user') return `user:${principal.user.id}`;
  if (principal.kind === 'service') return `key:${principal.keyId}`;
  return null;
}

/**
 * The applied schema: validates, plans and applies documents, and keeps every
 * node's view of the live schema current (a node that did not apply a push
 * notices the new version within `pollMs`).
 */
export class SchemaService {
  private live: LiveSchema = buildLiveSchema({}, null, null);
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(schema: LiveSchema) => void>();

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** Loads the newest version; call once at start-up. */
  async load(): Promise<LiveSchema> {
    const row = await this.newestVersion(this.pool);
    this.swap(
      row
        ? buildLiveSchema(row.document, Number(row.id), row.applied_at.toISOString())
        : buildLiveSchema({}, null, null),
    );
    return this.live;
  }

  /** The live schema, as of the last load or push. */
  current(): LiveSchema {
    return this.live;
  }

  /** Called with the new schema whenever it changes (on this node or, via polling, another). */
  onChange(listener: (schema: LiveSchema) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Polls for versions applied by other nodes. */
  watch(pollMs: number): void {
    this.timer = setInterval(() => {
      this.pool
        .query<{ id: string }>('SELECT id FROM hearth.schema_versions ORDER BY id DESC LIMIT 1')
        .then(async ({ rows }) => {
          const newest = rows[0] ? Number(rows[0].id) : null;
          if (newest !== this.live.version) await this.load();
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'schema version poll failed'));
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async versions(limit = 50): Promise<SchemaVersionInfo[]> {
    const { rows } = await this.pool.query<{
      id: string;
      applied_at: Date;
      applied_by: string | null;
      steps: number;
    }>(
      `SELECT id, applied_at, applied_by, jsonb_array_length(plan) AS steps
       FROM hearth.schema_versions ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      appliedAt: r.applied_at.toISOString(),
      appliedBy: r.applied_by,
      steps: r.steps,
    }));
  }

  /**
   * Validates the document and diffs it against the applied one. A dry run
   * stops there. Otherwise the plan runs in one transaction under an advisory
   * lock: a push that finds another in progress, or finds a version other
   * than `ifVersion`, fails with `schema/conflict` and changes nothing.
   */
  async apply(input: ApplySchemaInput, principal: Principal): Promise<SchemaPlanResult> {
    const validation = validate(input.schema);
    if (!validation.ok) {
      if (input.dryRun) {
        return {
          plan: [],
          destructive: false,
          errors: validation.errors,
          sql: [],
          repairs: [],
          applied: false,
          version: this.live.version,
        };
      }
      throw new HearthError('schema/invalid', `The schema has ${validation.errors.length} problem(s).`, {
        details: { errors: validation.errors },
      });
    }
    const document = validation.document;

    if (input.dryRun) {
      const row = await this.newestVersion(this.pool);
      this.checkVersion(row, input.ifVersion);
      const compiled = compileSchemaPlan(
        row?.document ?? null,
        document,
        await existingDeleteTriggers(this.pool),
      );
      return {
        plan: compiled.steps,
        destructive: compiled.destructive,
        errors: [],
        sql: compiled.statements.map((s) => s.sql),
        repairs: compiled.repairs,
        applied: false,
        version: row ? Number(row.id) : null,
      };
    }

    const outcome = await withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SCHEMA_LOCK.toString(),
      ]);
      if (!rows[0]?.locked) {
        throw new HearthError(
          'schema/conflict',
          'Another schema push is being applied; retry when it is done.',
        );
      }
      await db.query("SET LOCAL lock_timeout = '15s'");
      // Adding an index or a constraint scans the whole table: no statement time budget here.
      await db.query('SET LOCAL statement_timeout = 0');
      const row = await this.newestVersion(db);
      this.checkVersion(row, input.ifVersion);
      const previous = row?.document ?? {};
      const compiled = compileSchemaPlan(row?.document ?? null, document, await existingDeleteTriggers(db));
      const { steps: plan, destructive, repairs } = compiled;
      const sql = compiled.statements.map((s) => s.sql);
      if (destructive && !input.allowDestructive) {
        const steps = plan.filter((s) => s.destructive);
        throw new HearthError(
          'schema/destructive',
          `The plan has ${steps.length} destructive step(s); send allowDestructive to apply it.`,
          { details: { plan, destructive: true, steps, sql } },
        );
      }
      if (plan.length === 0 && sql.length === 0 && canonicalJson(previous) === canonicalJson(document)) {
        return { plan, destructive, sql, repairs, version: row ? Number(row.id) : null, changed: undefined };
      }
      await runStatements(db, compiled);
      const inserted = await db.query<{ id: string; applied_at: Date }>(
        `INSERT INTO hearth.schema_versions (document, plan, applied_by) VALUES ($1, $2, $3) RETURNING id, applied_at`,
        [JSON.stringify(document), JSON.stringify(plan), actorOf(principal)],
      );
      const version = inserted.rows[0] as { id: string; applied_at: Date };
      return {
        plan,
        destructive,
        sql,
        repairs,
        version: Number(version.id),
        changed: version.applied_at.toISOString(),
      };
    });

    if (outcome.changed !== undefined) {
      this.swap(buildLiveSchema(document, outcome.version, outcome.changed));
      this.logger.info({ version: outcome.version, steps: outcome.plan.length }, 'applied schema');
    }
    return {
      plan: outcome.plan,
      destructive: outcome.destructive,
      errors: [],
      sql: outcome.sql,
      repairs: outcome.repairs,
      applied: outcome.changed !== undefined,
      version: outcome.version,
    };
  }

  /**
   * Creates the to-many relations' delete triggers the applied document needs
   * and the database lacks (a database from before they existed, or one whose
   * triggers were dropped by hand). Call once at start-up; a node that finds
   * a push in progress leaves the work to it.
   */
  async ensureDeleteTriggers(): Promise<number> {
    return await withTransaction(this.pool, async (db) => {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        SCHEMA_LOCK.toString(),
      ]);
      if (!rows[0]?.locked) return 0;
      const document = (await this.newestVersion(db))?.document ?? {};
      // The applied document against itself: an empty plan, so every statement is a repair.
      const compiled = compileSchemaPlan(document, document, await existingDeleteTriggers(db));
      await runStatements(db, compiled);
      const repaired = compiled.repairs.length;
      if (repaired > 0) this.logger.info({ statements: repaired }, 'repaired on-delete triggers');
      return repaired;
    });
  }

  private checkVersion(row: VersionRow | undefined, expected: number | null | undefined): void {
    if (expected === undefined) return;
    const current = row ? Number(row.id) : null;
    if (current !== expected) {
      throw new HearthError(
        'schema/conflict',
        `The schema is at version ${current ?? 'none'}, not ${expected ?? 'none'}.`,
        {
          details: { currentVersion: current },
        },
      );
    }
  }

  private async newestVersion(db: Pool | PoolClient): Promise<VersionRow | undefined> {
    const { rows } = await db.query<VersionRow>(
      'SELECT id, document, applied_at FROM hearth.schema_versions ORDER BY id DESC LIMIT 1',
    );
    return rows[0];
  }

  private swap(schema: LiveSchema): void {
    const changed = schema.version !== this.live.version;
    this.live = schema;
    if (changed) for (const listener of this.listeners) listener(schema);
  }
}

/** Runs the statements in order; a failure names the step it belongs to. */
async function runStatements(db: PoolClient, compiled: CompiledSchemaPlan): Promise<void> {
  for (const statement of compiled.statements) {
    try {
      await db.query(statement.sql);
    } catch (error) {
      if (isHearthError(error)) throw error;
      const message = (error as Error).message;
      const step = statement.step === null ? undefined : compiled.steps[statement.step];
      const what = step?.description ?? 'repair the on-delete triggers';
      throw new HearthError('schema/apply-failed', `${what}: ${message}`, {
        details: { step: step ?? null, statement: statement.sql, message },
        cause: error,
      });
    }
  }
}

async function existingDeleteTriggers(db: Pool | PoolClient): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(EXISTING_DELETE_TRIGGERS_SQL);
  return new Set(rows.map((row) => row.name));
}
