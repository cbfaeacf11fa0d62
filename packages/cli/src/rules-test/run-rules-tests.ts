import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import {
  COLLECTION_RULE_NAMES,
  collectionRuleSets,
  schemaModel,
  type CollectionRuleSet,
} from '@hearth/schema';
import {
  displayPath,
  loadSchemaFile,
  readTextFile,
  type FileIssue,
} from '../schema-file/load-schema-file.js';
import { runCase, type Verdict } from './run-case.js';
import { parseRulesTestFile, type Operation } from './test-file.js';

export interface CaseResult {
  name: string;
  /** `file:line` of the case. */
  location: string;
  collection: string;
  op: Operation;
  expect: Verdict;
  actual: Verdict | null;
  passed: boolean;
  reason: string;
  error?: string;
  durationMs: number;
}

export interface FileResult {
  file: string;
  schema: string;
  cases: CaseResult[];
  durationMs: number;
}

/** A rule written in a schema document, and whether the cases exercise both outcomes. */
export interface RuleCoverage {
  schema: string;
  collection: string;
  op: Operation;
  allow: number;
  deny: number;
}

export type RulesTestRun =
  { ok: true; files: FileResult[]; coverage: RuleCoverage[] } | { ok: false; issues: FileIssue[] };

/** Loads each test file and its schema, and runs every case offline. */
export async function runRulesTests(paths: string[]): Promise<RulesTestRun> {
  const files: FileResult[] = [];
  const coverage = new Map<string, RuleCoverage>();
  const issues: FileIssue[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    const file = displayPath(absolute);
    const parsed = parseRulesTestFile(
      await readTextFile(absolute, 'pass existing files, or run `hearth init` for a sample'),
      file,
      absolute,
    );
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    const { loaded } = parsed;
    const schema = await loadSchemaFile(loaded.schemaPath);
    if (!schema.ok) {
      issues.push(...schema.issues);
      continue;
    }
    const model = schemaModel(schema.document);
    const rules = collectionRuleSets(model);
    noteRules(coverage, schema.file, rules);

    const started = performance.now();
    const cases = loaded.content.cases.map((testCase, i): CaseResult => {
      const caseStarted = performance.now();
      const outcome = runCase(testCase, model, rules, loaded.content.records ?? {}, loaded.content.now);
      const passed = outcome.actual === testCase.expect;
      const entry = coverage.get(`${schema.file}\0${testCase.collection}\0${testCase.op}`);
      if (entry && outcome.actual !== null) entry[outcome.actual]++;
      return {
        name: testCase.name,
        location: `${file}:${loaded.caseLines[i] ?? 1}`,
        collection: testCase.collection,
        op: testCase.op,
        expect: testCase.expect,
        actual: outcome.actual,
        passed,
        reason: outcome.reason,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        durationMs: performance.now() - caseStarted,
      };
    });
    files.push({ file, schema: schema.file, cases, durationMs: performance.now() - started });
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, files, coverage: [...coverage.values()] };
}

function noteRules(
  coverage: Map<string, RuleCoverage>,
  schema: string,
  rules: Map<string, CollectionRuleSet>,
): void {
  for (const [collection, set] of rules) {
    for (const op of COLLECTION_RULE_NAMES) {
      if (!set.declared[op] || set.source[op] === null) continue;
      const key = `${schema}\0${collection}\0${op}`;
      if (!coverage.has(key)) coverage.set(key, { schema, collection, op, allow: 0, deny: 0 });
    }
  }
}
