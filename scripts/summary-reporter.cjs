// Mocha's spec output, then a count per database of the matrix and the closing line CI reads:
// `N passed, N failed` (a run that executed no test fails).
'use strict';
const Mocha = require('mocha');
const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
const DATABASES = ['sqlite', 'mariadb', 'postgres'];

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const perDb = Object.fromEntries(DATABASES.map((db) => [db, { passed: 0, failed: 0 }]));
    const dbOf = (test) => test.titlePath().find((title) => DATABASES.includes(title));
    runner.on(EVENT_TEST_PASS, (test) => {
      counts.passed++;
      const db = dbOf(test);
      if (db) perDb[db].passed++;
    });
    runner.on(EVENT_TEST_FAIL, (test) => {
      counts.failed++;
      const db = test.titlePath ? dbOf(test) : undefined;
      if (db) perDb[db].failed++;
    });
    runner.on(EVENT_TEST_PENDING, () => counts.skipped++);
    // Registered after Spec's own epilogue, so these lines come last.
    runner.once(EVENT_RUN_END, () => {
      for (const db of DATABASES) {
        const c = perDb[db];
        console.log(`database ${db}: ${c.passed} passed, ${c.failed} failed${c.passed + c.failed === 0 ? ' (did not run)' : ''}`);
      }
      if (counts.passed + counts.failed === 0) {
        console.log('no test was executed');
        console.log('0 passed, 1 failed');
        process.exit(1); // mocha would exit 0 on an empty run
      }
      console.log(`${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ''}`);
    });
  }
}
module.exports = SummaryReporter;
