/**
 * Tests that need a real component (a MariaDB server, a Chromium binary) skip without it on a
 * developer's machine, loudly, and fail in CI, where a skip would pass a run that tested less than
 * it claims. Required means `CI=true` (or `1`; `.ci/run` and most CI services set it) or
 * `W3KIT_REQUIRE_ALL=1` (the same strictness on a developer's machine).
 */
export function componentsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['CI'] === 'true' || env['CI'] === '1' || env['W3KIT_REQUIRE_ALL'] === '1';
}

/**
 * `missing` says what is absent (`"no browser at /usr/bin/chromium"`). Throws when components are
 * required; otherwise prints a warning and returns, and the caller skips.
 */
export function skipOrFail(component: string, missing: string, env: NodeJS.ProcessEnv = process.env): void {
  if (componentsRequired(env)) throw new Error(`${component} is required here (CI=true or W3KIT_REQUIRE_ALL=1), but ${missing}`);
  console.warn(`\n    SKIPPED: ${component}: ${missing}. With CI=true or W3KIT_REQUIRE_ALL=1 this is a failure.\n`);
}

/** The part of a mocha context (a test's or a hook's `this`) used here. */
export interface SkippableTest {
  skip(): void;
}

/**
 * Call first in a `before` hook or a test: returns when `missing` is undefined (the component is
 * there); else fails (required) or warns and skips the test (a hook: every test of its suite).
 */
export function requireOrSkip(test: SkippableTest, component: string, missing: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (missing === undefined) return;
  skipOrFail(component, missing, env);
  test.skip();
}
