// ESLint: typescript-eslint's type-aware recommended rules over the TypeScript sources, tests
// and benchmarks, and @eslint/js's recommended rules over the plain JavaScript scripts. The rules
// turned off below fight a documented habit of the code; docs/testing.md ("Lint and format")
// says why for each.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// what Node scripts use without importing it (the `globals` package would be one more dependency for this list)
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'fetch',
    'AbortController',
    'TextEncoder',
    'TextDecoder',
    'structuredClone',
    'queueMicrotask',
    'module',
    'require',
    '__dirname',
  ].map((name) => [name, 'readonly']),
);
const browserGlobals = Object.fromEntries(
  ['window', 'document', 'navigator', 'location', 'localStorage', 'fetch', 'console', 'URL', 'URLSearchParams', 'setTimeout', 'clearTimeout', 'alert', 'crypto', 'TextEncoder', 'TextDecoder'].map(
    (name) => [name, 'readonly'],
  ),
);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'conformance/**', 'reports/**', '.stryker-tmp/**', 'bench/results/**', '**/*.d.mts'] },
  // an eslint-disable comment whose rule no longer fires is an error, so stray ones do not pile up
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './examples/*/tsconfig.json', './test/tsconfig.json', './bench/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // TypeScript checks names itself (and knows Node's and the DOM's types)
      'no-undef': 'off',
      // `let kit` read by a closure made before the kit exists (a middleware, a listener) cannot be const
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_`-prefixed names are deliberately unused: destructuring a field away, a parameter a signature requires
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Services and stores return object literals whose methods are passed around unbound by
      // design (no `this` anywhere: closures, not classes — STYLE.md's factory style)
      '@typescript-eslint/unbound-method': 'off',
      // Template strings format numbers, booleans and URLs on purpose in messages and SQL-free logs
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true, allowRegExp: true }],
      // Store and service methods are `async` without an `await` on purpose: the interface
      // promises a Promise, and `async` turns a synchronous throw into a rejection (a caller
      // that awaits sees one kind of failure)
      '@typescript-eslint/require-await': 'off',
      // Untrusted JSON values are read with String(value) and then checked: an object turns
      // into "[object Object]", which the check that follows refuses, as it should
      '@typescript-eslint/no-base-to-string': 'off',
      // node:http servers, Koa and event emitters take async handlers whose declared return is
      // void; each such handler of the kit catches its own errors
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // a queue or wrapper passes on the rejection it caught, whatever it was
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['**/test/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read JSON bodies (supertest's `body` is `any`) and poke at results: the unsafe-any
      // family would ask for a cast on every assertion line without catching a bug
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // non-null assertions on fixtures the test itself just made
      '@typescript-eslint/no-non-null-assertion': 'off',
      // tests build strings from response bodies (`any`)
      '@typescript-eslint/restrict-plus-operands': 'off',
      // did's tests load the ambient declarations of the @digitalbazaar packages the way src does
      '@typescript-eslint/triple-slash-reference': ['error', { path: 'always' }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: nodeGlobals },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
  { files: ['examples/siwe-dapp/public/**/*.js'], languageOptions: { globals: browserGlobals, sourceType: 'module' } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
);
