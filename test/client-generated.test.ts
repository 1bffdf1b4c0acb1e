import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
// @ts-expect-error: a plain .mjs script (the generator `pnpm client:generate` runs), no declarations
import { generateSchema, SCHEMA_FILE } from '../packages/client/scripts/generate.mjs';

const committed = () => readFileSync(SCHEMA_FILE as string, 'utf8');

/** The generated text of one operation's type (`"<operationId>": { … };` at the operations' indent). */
function operationType(schema: string, operationId: string): string {
  const start = schema.indexOf(`    "${operationId}": {\n`);
  assert.ok(start >= 0, `no operation ${operationId} in the generated schema`);
  const end = schema.indexOf('\n    };\n', start);
  return schema.slice(start, end);
}

/** The operations the client's conveniences and its flow tests call. */
const FLOW_OPERATIONS = [
  'web3connect.post_auth_account_access_token_refresh',
  'web3connect.post_nft_mint_to_holder_id_wallet_address',
  'web3connect.post_nft_token_id_verification_qr_code_step1',
  'web3connect.post_nft_verification_qr_code_step2',
  'web3connect.get_nft_verification_qr_code_result',
  'web3connect.get_account_my_info',
  'finenex.post_auth_auth_user',
  'finenex.post_did_create_vc',
  'finenex.post_did_verify_vc',
  'finenex.post_auth_auth_user_by_app',
  'finenex.post_auth_auth_user_with_vp',
  'finenex.post_auth_auth_user_result_by_app',
];

describe('docs-client: @w3kit/client is generated from the kit’s OpenAPI document', function () {
  this.timeout(60_000);

  it('the committed packages/client/src/schema.ts is what the generator writes today (else: run pnpm client:generate)', async () => {
    const fresh = (await generateSchema()) as string;
    assert.ok(fresh === committed(), 'packages/client/src/schema.ts is not current: run pnpm client:generate');
  });

  it('the responses of the operations the flows use have no any or unknown (headers aside)', () => {
    const schema = committed();
    for (const id of FLOW_OPERATIONS) {
      const responses = operationType(schema, id).split('responses: {')[1] ?? '';
      const loose = responses.split('\n').filter((line) => /\b(any|unknown)\b/.test(line) && !/\[name: string\]: unknown;/.test(line));
      assert.deepEqual(loose, [], `${id}: loose types in its responses`);
    }
  });
});
