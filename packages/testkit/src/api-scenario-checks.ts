import { expect } from 'vitest';
import type { ExpectedChangeEvent, ScenarioResponse } from './api-scenario.js';

/** A scenario's expectation with every value resolved. */
export interface ResolvedExpectation {
  status: number;
  content?: unknown;
  contains?: readonly string[] | undefined;
  notContains?: readonly string[] | undefined;
  events?: readonly ExpectedChangeEvent[] | undefined;
}

/**
 * Checks one answer against what its scenario expects. Every failure message
 * carries the body, so a failing row says what the server answered.
 */
export function checkScenarioResponse(expected: ResolvedExpectation, response: ScenarioResponse): void {
  const { text } = response;
  expect(response.status, text).toBe(expected.status);
  if (expected.content !== undefined) expect(response.body, text).toMatchObject(expected.content as object);
  for (const wanted of expected.contains ?? []) expect(text, 'the body must contain it').toContain(wanted);
  for (const unwanted of expected.notContains ?? [])
    expect(text, 'the body must not contain it').not.toContain(unwanted);
  const events = expected.events ?? [];
  const summary = JSON.stringify(response.events.map((event) => `${event.collection}:${event.action}`));
  expect(response.events, `change events ${summary}`).toHaveLength(events.length);
  events.forEach((event, index) =>
    expect(response.events[index], `change event ${index}`).toMatchObject(event),
  );
}
