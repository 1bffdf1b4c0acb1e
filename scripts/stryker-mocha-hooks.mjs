// Root hooks for mocha under Stryker (stryker.config.mjs, mochaOptions.require). Stryker's perTest
// coverage credits what runs to the test that ran last; a `before` hook runs after the previous
// suite's last test, so what a suite's setup covers (a kit built with a mutant in it) would be
// credited to a test of another suite, and only that test would run against the mutant. Clearing
// the current test after each test makes setup coverage "static": Stryker runs such mutants
// against every test of the set.
export const mochaHooks = {
  afterEach() {
    const stryker = globalThis.__stryker__;
    if (stryker) stryker.currentTestId = undefined;
  },
};
