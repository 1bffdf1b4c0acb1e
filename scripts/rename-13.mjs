#!/usr/bin/env node
// Issue 13's renames, run once by the lead after every branch is merged (they touch names that
// every branch uses, so no branch commits them): `node scripts/rename-13.mjs`, then build and test.
// Idempotent: a second run finds nothing left to rename and changes nothing.
//
// - KitCradle → KitServices (core's container type), everywhere;
// - nft's src/schema.ts (tables and migrations) → src/tables.ts, src/schemas.ts (request
//   schemas) → src/request-schemas.ts, with the imports and the paths that name them;
// - nft's container name verificationStore → nftVerificationStore (beside auth's
//   verificationService), in nft and where nft's service is reached (tests);
// - "the seed" in comments and docs → the name of the API document it means (the seed files'
//   titles: Web3Connect, Origin attestations, Finenex), chosen per file by what the file serves.
//
// Scope: packages/, examples/, test/, bench/, docs/ (.ts, .mts, .mjs, .md); dist/ and
// node_modules/ are skipped. Prints each file it changed, and a summary.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const ROOTS = ['packages', 'examples', 'test', 'bench', 'docs'];
const EXTENSIONS = /\.(ts|mts|mjs|md)$/;

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (EXTENSIONS.test(entry)) yield path;
  }
}

// 1. the nft files (git mv keeps their history)
const NFT_SRC = join(root, 'packages/nft/src');
const moves = [
  ['schemas.ts', 'request-schemas.ts'],
  ['schema.ts', 'tables.ts'],
];
for (const [from, to] of moves) {
  if (existsSync(join(NFT_SRC, from)) && !existsSync(join(NFT_SRC, to))) {
    execFileSync('git', ['mv', join(NFT_SRC, from), join(NFT_SRC, to)], { cwd: root, stdio: 'inherit' });
    console.log(`moved packages/nft/src/${from} → ${to}`);
  }
}

// 2. textual replacements
/** Which API document "the seed" means in a file, by what the file serves; null: leave the file alone. */
function seedDocumentOf(path) {
  if (path === 'test/fuzz.test.ts') return null; // its "seed" is the random seed
  if (/^(packages\/attestations\/|docs\/attestations\.md|examples\/standalone-server\/(src\/env-config\.ts|test\/attestations-wiring)|test\/multi-instance\.test\.ts)/.test(path))
    return 'Origin attestations';
  if (/^(packages\/did\/|docs\/did\.md|bench\/did-verify)/.test(path)) return 'Finenex';
  if (/^(packages\/(nft|auth|core)\/|docs\/(nft|auth|core)\.md)/.test(path)) return 'Web3Connect';
  return null;
}

/** "the seed document", "the seed's", "the seed" (not "seeds", "seeded"), keeping the capital. */
function nameTheSeed(text, document, path) {
  return text
    .split('\n')
    .map((line) => {
      // docs/core.md names both envelopes: its Origin line keeps to Origin
      const name = path === 'docs/core.md' && /Origin/.test(line) ? 'Origin attestations' : document;
      return line.replace(/\b([Tt])he seed(?: document)?(?![\w-])/g, (_, t) => `${t}he ${name} document`);
    })
    .join('\n');
}

const inNft = (path) => path.startsWith('packages/nft/');
const replacements = [
  { what: 'KitCradle → KitServices', applies: () => true, run: (text) => text.replace(/\bKitCradle\b/g, 'KitServices') },
  {
    what: 'nft schema files',
    applies: (path) => inNft(path) || path.startsWith('docs/') || path.startsWith('test/') || path.startsWith('examples/') || path.startsWith('bench/'),
    run: (text, path) => {
      let out = text.replace(/\bpackages\/nft\/src\/schemas\.ts\b/g, 'packages/nft/src/request-schemas.ts').replace(/\bpackages\/nft\/src\/schema\.ts\b/g, 'packages/nft/src/tables.ts');
      out = out.replace(/\bnft\/src\/schemas\.ts\b/g, 'nft/src/request-schemas.ts').replace(/\bnft\/src\/schema\.ts\b/g, 'nft/src/tables.ts');
      if (inNft(path)) {
        // relative imports inside nft: './schemas.js', '../schema.js', '../src/schemas.js'
        out = out.replace(/(['"](?:\.{1,2}\/)+(?:src\/)?)schemas\.js(['"])/g, '$1request-schemas.js$2').replace(/(['"](?:\.{1,2}\/)+(?:src\/)?)schema\.js(['"])/g, '$1tables.js$2');
      }
      return out;
    },
  },
  // only nft's store: auth's verificationService and the rest keep their names
  { what: 'verificationStore → nftVerificationStore', applies: inNft, run: (text) => text.replace(/\bverificationStore\b/g, 'nftVerificationStore') },
  {
    what: '"the seed" → the API document',
    applies: (path) => seedDocumentOf(path) !== null,
    run: (text, path) => nameTheSeed(text, seedDocumentOf(path), path),
  },
];

let changed = 0;
for (const top of ROOTS) {
  for (const file of files(join(root, top))) {
    const path = relative(root, file).split('\\').join('/');
    const before = readFileSync(file, 'utf8');
    let after = before;
    const applied = [];
    for (const r of replacements) {
      if (!r.applies(path)) continue;
      const next = r.run(after, path);
      if (next !== after) applied.push(r.what);
      after = next;
    }
    if (after !== before) {
      writeFileSync(file, after);
      changed++;
      console.log(`${path}: ${applied.join('; ')}`);
    }
  }
}
console.log(changed === 0 ? 'rename-13: nothing left to rename' : `rename-13: ${changed} files changed`);
