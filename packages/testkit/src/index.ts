export { createTestDatabase, type TestDatabase } from './database.js';
export { startTestApp, type TestApp } from './test-app.js';
export * from './components/index.js';
export * from './auth-helpers.js';
export { describeTimes, median, medianRatio, timeInPairs, type PairedTimes } from './paired-timing.js';
export { insertTestRecord } from './test-records.js';
export type {
  ApiRequest,
  ApiScenario,
  CreatedRecord,
  ExpectedChangeEvent,
  FromContext,
  ScenarioCaller,
  ScenarioContext,
  ScenarioExpectation,
  ScenarioResponse,
} from './api-scenario.js';
export { checkScenarioResponse, type ResolvedExpectation } from './api-scenario-checks.js';
export {
  acrossCallers,
  useApiScenarios,
  type ApiScenarioSetup,
  type ApiScenarioSuite,
  type CallerOutcome,
} from './api-scenarios.js';
