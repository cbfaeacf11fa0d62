import type { ChangeAction, ChangeEvent } from './server-under-test.js';
import type { TestApp } from './test-app.js';
import type { TestUser } from './auth-helpers.js';

/**
 * Who sends a scenario's request: nobody, the admin, the service key, or one
 * of the users the suite signed up, by the name it gave them.
 */
export type ScenarioCaller = 'anonymous' | 'admin' | 'key' | (string & {});

/** What a scenario reads from the running suite: the app, its callers and the ids the seed kept. */
export interface ScenarioContext {
  app: TestApp;
  admin: TestUser;
  key: { id: string; key: string; headers: Record<string, string> };
  /** The users the suite signed up, by name. */
  users: Record<string, TestUser>;
  /** Ids kept by the seed or by a scenario's `before`, by name. */
  ids: Record<string, string>;
  /** The named user; throws on a name the suite did not sign up. */
  user(name: string): TestUser;
  /** The named id; throws when nothing kept it. */
  id(name: string): string;
  headersFor(caller: ScenarioCaller): Record<string, string>;
  /** Inserts a row straight into `app.<collection>`, past the rules, and returns its id. */
  insert(collection: string, row: Record<string, unknown>): Promise<string>;
  /** Creates a record through the API as `caller`; throws unless the answer is 201. */
  createRecord(caller: ScenarioCaller, collection: string, body: unknown): Promise<CreatedRecord>;
}

export interface CreatedRecord {
  id: string;
  [field: string]: unknown;
}

/** A value, or a function that computes it once the suite is running (ids exist only then). */
export type FromContext<T> = T | ((context: ScenarioContext) => T);

/** A JSON value, spelled out so that a function in its place gets the context's type. */
export type JsonValue =
  string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown };

export type QueryValue = string | number | boolean | readonly string[];

/** One change event a scenario expects, matched partially (`toMatchObject`). */
export interface ExpectedChangeEvent {
  collection: string;
  action: ChangeAction;
  record?: Record<string, unknown>;
  oldRecord?: Record<string, unknown> | null;
}

export interface ScenarioResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON; undefined when empty. */
  body: unknown;
  /** The raw body, which `contains` and `notContains` search. */
  text: string;
  /** The change events the request caused, in order. */
  events: ChangeEvent[];
}

/** What a scenario expects of the answer. */
export interface ScenarioExpectation {
  status: number;
  /** A partial match of the parsed body (`toMatchObject`). */
  content?: FromContext<JsonValue> | undefined;
  /** Strings the raw body must contain. */
  contains?: FromContext<readonly string[]> | undefined;
  /** Strings the raw body must not contain: values, ids or field names a rule hides. */
  notContains?: FromContext<readonly string[]> | undefined;
  /** The change events, in order. Omitted or empty: the request must cause none. */
  events?: FromContext<readonly ExpectedChangeEvent[]> | undefined;
}

/** The request of a scenario: who sends what. */
export interface ApiRequest {
  /** Defaults to anonymous. */
  as?: ScenarioCaller;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: FromContext<string>;
  /** Each value is percent-encoded with encodeURIComponent; an array repeats the key. */
  query?: FromContext<Record<string, QueryValue>>;
  /** JSON unless a string, which is sent as it is. */
  body?: FromContext<JsonValue>;
  /** Added to (and overriding) the caller's headers. */
  headers?: FromContext<Record<string, string>>;
}

/**
 * One API test case, in the style of PocketBase's `tests.ApiScenario`: who
 * calls, what they send, and what must (and must not) come back.
 */
export interface ApiScenario extends ApiRequest, ScenarioExpectation {
  name: string;
  /** Runs before the request; events it causes are not counted. Keep ids in `context.ids`. */
  before?: (context: ScenarioContext) => Promise<void> | void;
  /** Runs after the checks, for what a request-shaped table cannot say (a row in the database). */
  after?: (context: ScenarioContext, response: ScenarioResponse) => Promise<void> | void;
}

export function resolve<T>(value: FromContext<T>, context: ScenarioContext): T {
  return typeof value === 'function' ? (value as (context: ScenarioContext) => T)(context) : value;
}
