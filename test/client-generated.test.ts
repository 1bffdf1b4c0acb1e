import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain .mjs script (the generator `pnpm client:generate` runs), no declarations
import { generateSchema, SCHEMA_FILE } from '../packages/client/scripts/generate.mjs';

const committed = () => readFileSync(SCHEMA_FILE, 'utf8');

/** The generated text of one operation's type (`"<operationId>": { … };` at the operations' indent). */
function operationType(schema: string, operationId: string): string {
  const start = schema.indexOf(`    "${operationId}": {\n`);
  assert.ok(start >= 0, `no operation ${operationId} in the generated schema`);
  const end = schema.indexOf('\n    };\n', start);
  return schema.slice(start, end);
}

/** The generated text of a schema in components (`        Name: …` up to the next one). */
function componentType(schema: string, name: string): string {
  const start = schema.indexOf(`\n        ${name}: `);
  assert.ok(start >= 0, `no component ${name} in the generated schema`);
  const next = schema.slice(start + 1).search(/\n {8}[A-Za-z0-9_]+: |\n {4}};/);
  return schema.slice(start, start + 1 + next);
}

/** The lines of an operation's responses, and of every component schema they name (one level). */
function responseLines(schema: string, operationId: string): string[] {
  const responses = operationType(schema, operationId).split('responses: {')[1] ?? '';
  const named = [...responses.matchAll(/components\["schemas"\]\["([A-Za-z0-9_]+)"\]/g)].map((m) => m[1]!);
  return [responses, ...named.map((name) => componentType(schema, name))].join('\n').split('\n');
}

/**
 * Members that are free-form JSON by design, echoed as sent: an NFT's dynamic `attributes`
 * (ERC-721 traits the minter supplies, any JSON values; the mint body accepts them so).
 */
const FREE_FORM = ['attributes?: unknown[];'];

/** The operations the client's conveniences and its flow tests call. */
const FLOW_OPERATIONS = [
  'auth.access-token.refresh',
  'nft.mint',
  'nft.qr.start',
  'nft.qr.scan',
  'nft.qr.result',
  'auth.account.my-info',
  'auth.login',
  'did.create-vc',
  'did.verify-vc',
  'did.verifiers',
  'did.app-login.request',
  'did.login-with-vp',
  'did.app-login.result',
];

describe('docs-client: @w3kit/client is generated from the kit’s OpenAPI document', function () {
  this.timeout(60_000);

  it('the committed packages/client/src/schema.ts is what the generator writes today (else: run pnpm client:generate)', async () => {
    const fresh = await generateSchema();
    assert.ok(fresh === committed(), 'packages/client/src/schema.ts is not current: run pnpm client:generate');
  });

  it('the responses of the operations the flows use have no field typed any or unknown (comments and open objects’ index signatures aside)', () => {
    const schema = committed();
    for (const id of FLOW_OPERATIONS) {
      // an index signature of an open JSON object (headers, JSON-LD's extension members) is not a field left untyped
      const loose = responseLines(schema, id).filter(
        (line) => /\b(any|unknown)\b/.test(line) && !/^\s*(\/\*\*|\*)/.test(line) && !/^\s*\[(name|key): string\]: unknown;$/.test(line) && !FREE_FORM.includes(line.trim()),
      );
      assert.deepEqual(loose, [], `${id}: loose types in its responses`);
    }
  });
});
