// StrykerJS on the rules that protect users, one file set at a time: `pnpm mutation <set>`
// (scripts/mutation.mjs sets W3KIT_MUTATION_SET and W3KIT_TEST_DATABASES=sqlite).
//
// How it runs here: Stryker copies the repository into a sandbox (.stryker-tmp/) and instruments
// the TypeScript sources of the set; `buildCommand` compiles that package in the sandbox, and the
// package's own tests (which import it by its own name, so the sandbox's dist) run in mocha with
// tsx. Every other workspace package resolves through the symlinked node_modules to the real
// checkout's dist: unmutated, and built by scripts/mutation.mjs first.
import { readFileSync } from 'node:fs';

/** `file:from-to`, the lines from the one containing `from` to the next containing `to`: a range that survives edits above it. */
function lines(file, from, to) {
  const text = readFileSync(file, 'utf8').split('\n');
  const start = text.findIndex((line) => line.includes(from));
  const end = text.findIndex((line, i) => i >= start && line.includes(to));
  if (start < 0 || end < 0) throw new Error(`stryker.config.mjs: no lines "${from}" … "${to}" in ${file}; update the range`);
  return `${file}:${start + 1}-${end + 1}`;
}

const NFT_SERVICE = 'packages/nft/src/nft-service.ts';

/** Each set: the package it lives in, the files (or ranges) to mutate, and the tests that guard them. */
export const FILE_SETS = {
  core: {
    package: 'core',
    mutate: ['packages/core/src/one-time-codes/*.ts', 'packages/core/src/rate-limit/*.ts'],
    spec: [
      'packages/core/test/storage.test.ts',
      'packages/core/test/one-time-codes-rules.test.ts',
      'packages/core/test/rate-limit-rules.test.ts',
      'packages/core/test/http.test.ts',
      'packages/core/test/composition.test.ts',
    ],
  },
  auth: {
    package: 'auth',
    mutate: ['packages/auth/src/token-service.ts', 'packages/auth/src/es256-low-s.ts', 'packages/auth/src/redirect-policy.ts', 'packages/auth/src/association-cookies.ts'],
    spec: [
      'packages/auth/test/accounts.test.ts',
      'packages/auth/test/association.test.ts',
      'packages/auth/test/association-edges.test.ts',
      'packages/auth/test/verification.test.ts',
      'packages/auth/test/sessions.test.ts',
      'packages/auth/test/token-service-mutants.test.ts',
    ],
  },
  nft: {
    package: 'nft',
    mutate: [
      'packages/nft/src/geofence.ts',
      'packages/nft/src/nft-view.ts',
      // the visibility rules and the area check of nft-service.ts
      lines(NFT_SERVICE, 'const isParty = ', 'return token;'),
      lines(NFT_SERVICE, 'get: async (principal, tokenId)', 'return erc721Metadata(token'),
      lines(NFT_SERVICE, 'const area = validAreaOf(', 'if (!isInside(area, scannerGps))'),
      lines(NFT_SERVICE, 'async verificationResult(', "throw nftErrors.create('NOT_MINTER')"),
    ],
    spec: [
      'packages/nft/test/nft.test.ts',
      'packages/nft/test/verification.test.ts',
      'packages/nft/test/geofence.test.ts',
      'packages/nft/test/held-by-organizations.test.ts',
      'packages/nft/test/erc721-metadata.test.ts',
      'packages/nft/test/security-nft.test.ts',
      'packages/nft/test/valid-area-rules.test.ts',
    ],
  },
  did: {
    package: 'did',
    mutate: ['packages/did/src/presentation-service.ts', 'packages/did/src/app-login-service.ts'],
    spec: [
      'packages/did/test/presentations.test.ts',
      'packages/did/test/app-login.test.ts',
      'packages/did/test/seed.test.ts',
      'packages/did/test/vc-api.test.ts',
      'packages/did/test/plugin.test.ts',
      'packages/did/test/security-presentations.test.ts',
      'packages/did/test/presentation-mutants.test.ts',
    ],
  },
  attestations: {
    package: 'attestations',
    mutate: ['packages/attestations/src/claim-signer.ts'],
    spec: [
      'packages/attestations/test/claim-signer.test.ts',
      'packages/attestations/test/claim-signer-key.test.ts',
      'packages/attestations/test/plugin.test.ts',
      'packages/attestations/test/phone.test.ts',
      'packages/attestations/test/email.test.ts',
      'packages/attestations/test/facebook.test.ts',
      'packages/attestations/test/twitter.test.ts',
    ],
  },
};

const name = process.env.W3KIT_MUTATION_SET;
const set = FILE_SETS[name];
if (!set) throw new Error(`W3KIT_MUTATION_SET must be one of ${Object.keys(FILE_SETS).join(', ')} (run: pnpm mutation <set>)`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  plugins: ['@stryker-mutator/mocha-runner'],
  testRunner: 'mocha',
  testRunner_comment: 'mocha in the Stryker worker, tests as TypeScript through tsx (as scripts/run-tests.mjs does)',
  testRunnerNodeArgs: ['--import=tsx'],
  mochaOptions: { spec: set.spec, require: ['./scripts/stryker-mocha-hooks.mjs'], 'no-config': true, 'no-package': true },
  mutate: set.mutate,
  buildCommand: `tsc -b packages/${set.package}`,
  // instrumented sources do not type-check; the build must still emit them
  disableTypeChecks: 'packages/*/src/**/*.ts',
  coverageAnalysis: 'perTest',
  // a mutant reached only from setup code (module load, a `before` hook) runs against every test
  ignoreStatic: false,
  // the machine has 2 cores shared with other work
  concurrency: 1,
  timeoutMS: 20_000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}-incremental.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // the sandbox needs the packages and their tests, not the rest
  ignorePatterns: ['/bench', '/docs', '/reports', '/test', '/examples', '/data', '.w3kit-test', '.stryker-tmp'],
};
