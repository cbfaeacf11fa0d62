import { afterAll, beforeAll, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  uniqueTestEmail,
  type TestUser,
} from './auth-helpers.js';
import {
  resolve,
  type ApiRequest,
  type ApiScenario,
  type CreatedRecord,
  type FromContext,
  type QueryValue,
  type ScenarioCaller,
  type ScenarioContext,
  type ScenarioExpectation,
  type ScenarioResponse,
} from './api-scenario.js';
import { checkScenarioResponse } from './api-scenario-checks.js';
import type { ChangeEvent } from './server-under-test.js';
import { insertTestRecord } from './test-records.js';

export interface ApiScenarioSetup {
  /** The schema document the service key pushes before the seed runs. */
  schema?: unknown;
  /** Users to sign up, by the names scenarios call them (`as: 'alice'`). */
  users?: readonly string[];
  /** Extra HEARTH_* variables; the app always has open sign-up and relaxed rate limits. */
  env?: Record<string, string>;
  /** Seed data, after the schema; keep ids in `context.ids`. */
  seed?: (context: ScenarioContext) => Promise<void>;
}

export interface ApiScenarioSuite {
  /** The running suite (only inside tests and hooks). */
  context(): ScenarioContext;
  /** One vitest `it` per scenario, in order, all on this suite's server. */
  run(scenarios: readonly ApiScenario[]): void;
  /** Sends one request (a step of a `before`, say) and returns the answer with the events it caused, unchecked. */
  send(request: ApiRequest): Promise<ScenarioResponse>;
}

function withQuery(path: string, query: Record<string, QueryValue> | undefined): string {
  if (!query) return path;
  const pairs = Object.entries(query).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (one) => `${encodeURIComponent(key)}=${encodeURIComponent(String(one))}`,
    ),
  );
  if (pairs.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${pairs.join('&')}`;
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts one app for the enclosing file (or `describe`): signs up an admin, a
 * service key and the named users, pushes the schema, runs the seed, and
 * listens to the change-event bus. `run` turns a table of scenarios into one
 * test each.
 */
export function useApiScenarios(setup: ApiScenarioSetup = {}): ApiScenarioSuite {
  let context: ScenarioContext | undefined;
  /** The events of the requests in flight; requests sent at once each see the others' events too. */
  const recording = new Set<ChangeEvent[]>();
  let stopListening: (() => void) | undefined;

  beforeAll(async () => {
    const app = await startAppWithOpenSignup(setup.env);
    try {
      const admin = await createTestAdmin(app);
      const key = await createTestServiceKey(app, admin.token);
      const users: Record<string, TestUser> = {};
      for (const name of setup.users ?? []) users[name] = await signUpTestUser(app, uniqueTestEmail(name));
      if (setup.schema !== undefined) await applyTestSchema(app, key.headers, setup.schema);
      const ids: Record<string, string> = {};
      const user = (name: string): TestUser => {
        const found = users[name];
        if (!found) throw new Error(`no user "${name}": name it in the suite's users`);
        return found;
      };
      const headersFor = (caller: ScenarioCaller): Record<string, string> => {
        if (caller === 'anonymous') return {};
        if (caller === 'admin') return admin.headers;
        if (caller === 'key') return key.headers;
        return user(caller).headers;
      };
      context = {
        app,
        admin,
        key,
        users,
        ids,
        user,
        id(name) {
          const id = ids[name];
          if (id === undefined) throw new Error(`no id "${name}": keep it in context.ids first`);
          return id;
        },
        headersFor,
        insert: (collection, row) => insertTestRecord(app, collection, row),
        async createRecord(caller, collection, body) {
          const response = await app.request<CreatedRecord>(
            'POST',
            `/api/collections/${collection}/records`,
            {
              headers: headersFor(caller),
              body,
            },
          );
          if (response.status !== 201)
            throw new Error(
              `creating a ${collection} record as ${caller}: ${response.status} ${JSON.stringify(response.body)}`,
            );
          return response.body;
        },
      };
      await setup.seed?.(context);
      stopListening = app.hearth.collections.events.on((event) => {
        for (const events of recording) events.push(event);
      });
    } catch (error) {
      context = undefined;
      await app.close();
      throw error;
    }
  });
  afterAll(async () => {
    stopListening?.();
    await context?.app.close();
  });

  const current = (): ScenarioContext => {
    if (!context) throw new Error('the scenario suite is not running: read it inside a test or hook');
    return context;
  };

  async function send(scenario: ApiRequest): Promise<ScenarioResponse> {
    const ctx = current();
    const path = withQuery(resolve(scenario.path, ctx), scenario.query && resolve(scenario.query, ctx));
    const headers: Record<string, string> = {
      ...ctx.headersFor(scenario.as ?? 'anonymous'),
      ...(scenario.headers && resolve(scenario.headers, ctx)),
    };
    const body = scenario.body === undefined ? undefined : resolve(scenario.body, ctx);
    const init: RequestInit = { method: scenario.method, headers };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const events: ChangeEvent[] = [];
    recording.add(events);
    try {
      const response = await ctx.app.fetch(path, init);
      const text = await response.text();
      // Events are emitted after the commit and before the answer; one more turn catches a straggler.
      await new Promise((done) => setImmediate(done));
      return { status: response.status, headers: response.headers, body: parse(text), text, events };
    } finally {
      recording.delete(events);
    }
  }

  return {
    context: current,
    send,
    run(scenarios) {
      for (const scenario of scenarios) {
        it(scenario.name, async () => {
          const ctx = current();
          await scenario.before?.(ctx);
          const response = await send(scenario);
          const value = <T>(from: FromContext<T> | undefined) =>
            from === undefined ? undefined : resolve(from, ctx);
          checkScenarioResponse(
            {
              status: scenario.status,
              content: value(scenario.content),
              contains: value(scenario.contains),
              notContains: value(scenario.notContains),
              events: value(scenario.events),
            },
            response,
          );
          await scenario.after?.(ctx, response);
        });
      }
    },
  };
}

/** What one caller gets in `acrossCallers`: a status, or a status with its own expectations. */
export type CallerOutcome = number | ScenarioExpectation;

/**
 * One request sent by several callers: one scenario each, named
 * "<name> as <caller> → <status>". The base's `contains`, `notContains` and
 * `events` apply to the callers that succeed (2xx); a refused caller must
 * cause no event. A caller's own outcome replaces the base's expectations.
 */
export function acrossCallers(
  base: Omit<ApiScenario, 'as' | 'status'>,
  outcomes: Partial<Record<ScenarioCaller, CallerOutcome>>,
): ApiScenario[] {
  return Object.entries(outcomes).flatMap(([caller, outcome]) => {
    if (outcome === undefined) return [];
    const { content, contains, notContains, events, ...request } = base;
    const succeeds = (status: number) => status >= 200 && status < 300;
    const own: ScenarioExpectation =
      typeof outcome === 'number'
        ? {
            status: outcome,
            ...(succeeds(outcome) ? { content, contains, notContains, events } : {}),
          }
        : outcome;
    return [{ ...request, ...own, name: `${base.name} as ${caller} → ${own.status}`, as: caller }];
  });
}
