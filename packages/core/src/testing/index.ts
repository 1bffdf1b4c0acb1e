/**
 * Helpers for tests of the kit and of plugins: a manual clock, the database matrix
 * (SQLite always, MariaDB/MySQL when `MYSQL_URL` is set, PostgreSQL when `POSTGRES_URL` is), throwaway databases, and "require or
 * skip loudly" for tests that need a real component (a failure in CI).
 */
export { createManualClock, type ManualClock } from './manual-clock.js';
export { componentsRequired, requireOrSkip, skipOrFail, type SkippableTest } from './required-components.js';
export { wantedDatabases, testDatabases, createTestDatabase, type TestDatabaseKind, type TestDatabase } from './test-databases.js';
export { startTwilioStandIn, type TwilioStandIn, type TwilioStandInOptions, type TwilioReply } from './twilio-stand-in.js';
export { appFor, mountedApp, rootMount, type KitMount, type TestApp, type TestAppOptions } from './test-app.js';
export { startAnvil, anvilBinary, type Anvil, type AnvilOptions } from './anvil.js';
export { compileSolidity, type CompiledContract, type CompileOptions } from './solidity.js';
export { postFrom, startLoginFlood, type TimedAnswer, type LoginFlood, type LoginFloodOptions, type LoginFloodSummary } from './login-flood.js';
