// The minter's signature after it moved off ethers onto core's secp256k1 workers: over HTTP, a
// mint's `minter_digital_signature` is byte for byte what ethers' Wallet.signTypedData makes
// with the organization's own key (read back from the database and opened with the master key),
// for many mints at once; the signer is the minter whatever instance or worker signed.
import assert from 'node:assert/strict';
import { testDatabases } from '@w3kit/core/testing';
import { recoverMinter } from '@w3kit/nft';
import { verifyTypedData, Wallet } from 'ethers';
import { type Actor, DOCUMENTED_DOMAIN as DOMAIN, DOCUMENTED_TYPES as TYPES, endUser, mint, organization, servedNftKit, signedFacts, staticMetadata } from './support.js';

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('nft minter signature on the workers: the bytes ethers makes with the organization’s key', function () {
      this.timeout(60_000);
      const served = servedNftKit(kind);
      let minters: Actor[];
      let holder: Actor;

      before(async () => {
        minters = await Promise.all([organization(served.kit), organization(served.kit), organization(served.kit)]);
        holder = await endUser(served.kit);
      });

      /** The organization's private key, as the kit sealed it. */
      async function keyOf(minter: Actor): Promise<string> {
        const row = await served.kit.services.db
          .withTables<{ auth_accounts: { id: string; wallet_private_key: string } }>()
          .selectFrom('auth_accounts')
          .select('wallet_private_key')
          .where('id', '=', minter.accountId)
          .executeTakeFirstOrThrow();
        return served.kit.services.encryption.decrypt(row.wallet_private_key, `auth.id-wallet:${minter.address.toLowerCase()}`).toString('utf8');
      }

      it('24 mints by 3 organizations at once: each signature equals Wallet.signTypedData of the token’s facts, and recovers to its minter', async () => {
        const tokens = await Promise.all(
          Array.from({ length: 24 }, (_, i) =>
            mint(served.app, minters[i % 3]!, holder, {
              metadata: { static: { ...staticMetadata(), name: `Pass ${i}`, description: `ünïcode ${i}` }, dynamic: { category: 'pass', points_earned: i } },
            }),
          ),
        );
        for (const [i, t] of tokens.entries()) {
          const minter = minters[i % 3]!;
          const facts = signedFacts(t);
          assert.equal(facts.minter, minter.address);
          const signature = String(t['minter_digital_signature']);
          assert.equal(signature, await new Wallet(await keyOf(minter)).signTypedData(DOMAIN, TYPES, facts), `token ${i}`);
          assert.equal(verifyTypedData(DOMAIN, TYPES, facts, signature), minter.address);
          assert.equal(recoverMinter(DOMAIN, facts, signature), minter.address);
          assert.notEqual(recoverMinter(DOMAIN, { ...facts, minter: holder.address }, signature), minter.address);
        }
      });
    });
  });
}
