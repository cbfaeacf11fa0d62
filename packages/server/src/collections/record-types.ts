import type { Pool, PoolClient } from '../db/pool.js';
import type { ChangeEvent } from './change-events.js';

export type Db = Pool | PoolClient;

/** Where a write runs, and whether its change events wait for an outer commit. */
export interface WriteScope {
  db: Db;
  /** When set, events are collected here and emitted by whoever commits. */
  deferred?: ChangeEvent[];
}

export interface ListParams {
  filter?: string | undefined;
  sort?: string | undefined;
  limit?: string | undefined;
  cursor?: string | undefined;
  expand?: string | undefined;
  fields?: string | undefined;
  count?: string | undefined;
}

export interface ReadParams {
  expand?: string | undefined;
  fields?: string | undefined;
}

export interface RecordResult {
  record: Record<string, unknown>;
  /** The strong ETag (quoted) of the record's current version. */
  etag: string;
}

export interface ListResult {
  items: Record<string, unknown>[];
  nextCursor: string | null;
  total?: number;
}

/** Bounds on the work and the size of one read (HEARTH_FILTER_MAX_COST, HEARTH_EXPAND_MAX_*). */
export interface RecordLimits {
  filterMaxCost: number;
  expandMaxItems: number;
  expandMaxBytes: number;
}

/** The columns a statement adds beside the record's own. */
export const ETAG_COLUMN = '"__etag"';
export const TXID_COLUMN = '"__txid"';
