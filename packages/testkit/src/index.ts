export { createTestDatabase, type TestDatabase } from './database.js';
export { startTestApp, type TestApp } from './test-app.js';
export * from './components/index.js';
export * from './auth-helpers.js';
export { describeTimes, median, medianRatio, timeInPairs, type PairedTimes } from './paired-timing.js';
