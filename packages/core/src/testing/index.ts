/**
 * Helpers for tests of the kit and of plugins: a manual clock, the database matrix
 * (SQLite always, MariaDB/MySQL when `MYSQL_URL` is set, PostgreSQL when `POSTGRES_URL` is) and throwaway databases.
 */
export { createManualClock, type ManualClock } from './manual-clock.js';
export { testDatabases, createTestDatabase, type TestDatabaseKind, type TestDatabase } from './test-databases.js';
export { startTwilioStandIn, type TwilioStandIn, type TwilioStandInOptions, type TwilioReply } from './twilio-stand-in.js';
export { appFor, mountedApp, rootMount, type KitMount, type TestApp, type TestAppOptions } from './test-app.js';
export { startAnvil, anvilBinary, type Anvil, type AnvilOptions } from './anvil.js';
export { compileSolidity, type CompiledContract, type CompileOptions } from './solidity.js';
