import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CLAIM_TYPES } from '@w3kit/attestations';
import { compileSolidity, startAnvil, testDatabases, type Anvil, type CompiledContract } from '@w3kit/core/testing';
import { Contract, ContractFactory, getBytes, JsonRpcProvider, keccak256, solidityPacked, toUtf8Bytes, Wallet, type Signer } from 'ethers';
import request from 'supertest';
import { startFacebookStandIn, FACEBOOK_APP, type FacebookStandIn } from './facebook-stand-in.js';
import { harnessPerTest, signInThroughProvider, type Harness, type HarnessOptions } from './support.js';
import { startTwitterStandIn, TWITTER_APP, type TwitterStandIn } from './twitter-stand-in.js';

/**
 * The claims the kit signs, added to an ERC725/735 identity on a real EVM (anvil) and checked by
 * a ClaimVerifier that recovers them the way Origin's does (contracts in ./contracts, written
 * from the ERC725 and ERC735 specifications, compiled with solc-js).
 */
const source = (name: string) => readFileSync(new URL(`./contracts/${name}`, import.meta.url), 'utf8');
const SIGNER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b7869cd';
const ECDSA_SCHEME = 1;
const CLAIM_SIGNER_PURPOSE = 3;
const keyOf = (address: string) => keccak256(solidityPacked(['address'], [address]));

interface Chain {
  anvil: Anvil;
  origin: Signer;
  user: Signer;
  stranger: Signer;
  contracts: Record<string, CompiledContract>;
  issuer: Contract;
  verifier: Contract;
}

async function deploy(chain: Pick<Chain, 'contracts'>, name: string, by: Signer, ...args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = chain.contracts[name]!;
  const contract = await new ContractFactory(abi as never, bytecode, by).deploy(...args);
  await contract.waitForDeployment();
  return contract as Contract;
}

for (const kind of testDatabases()) {
  describe(kind, () => {
    describe('attestations: claims valid on chain (anvil, ERC725/735 ClaimVerifier)', function () {
      this.timeout(60_000);
      let chain: Chain;
      let fb: FacebookStandIn;
      let tw: TwitterStandIn;
      let h: Harness;

      before(async () => {
        const contracts = compileSolidity({ 'ClaimHolder.sol': source('ClaimHolder.sol'), 'ClaimVerifier.sol': source('ClaimVerifier.sol') });
        const anvil = await startAnvil();
        const provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 50 });
        const [origin, user, stranger] = await Promise.all([0, 1, 2].map((i) => provider.getSigner(i)));
        // Origin's issuer identity: the attestation signer's key holds the claim-signer purpose
        const issuer = await deploy({ contracts }, 'ClaimHolder', origin!);
        await (await issuer.getFunction('addKey')(keyOf(new Wallet(SIGNER_KEY).address), CLAIM_SIGNER_PURPOSE, 1)).wait();
        const verifier = await deploy({ contracts }, 'ClaimVerifier', origin!, await issuer.getAddress());
        chain = { anvil, origin: origin!, user: user!, stranger: stranger!, contracts, issuer, verifier };
        [fb, tw] = await Promise.all([startFacebookStandIn(), startTwitterStandIn()]);
      });
      after(async () => {
        await Promise.all([chain?.anvil.stop(), fb?.close(), tw?.close()]);
      });

      const pluginOptions = (signatureForm?: 'legacy-hex-string'): HarnessOptions => ({
        plugin: { signerKey: SIGNER_KEY, signatureForm, facebook: { ...FACEBOOK_APP, dialogBaseUrl: fb.url, graphBaseUrl: fb.url }, twitter: { ...TWITTER_APP, apiBaseUrl: tw.url } },
      });
      const api = () => request(h.app.callback());
      /** Runs one attestation flow over HTTP for `identity`; the claim the kit answers. */
      async function attest(topic: keyof typeof CLAIM_TYPES, identity: string): Promise<{ 'claim-type': number; signature: string; data: string }> {
        let res;
        if (topic === 'phone') {
          assert.equal((await api().post('/api/attestations/phone/generate-code').send({ phone: '+14155552671' })).status, 200);
          res = await api()
            .post('/api/attestations/phone/verify')
            .send({ identity, phone: '+14155552671', code: h.lastSmsCode('+14155552671') });
        } else if (topic === 'email') {
          assert.equal((await api().post('/api/attestations/email/generate-code').send({ email: 'ada@example.com' })).status, 200);
          res = await api()
            .post('/api/attestations/email/verify')
            .send({ identity, email: 'ada@example.com', code: h.lastEmailCode('ada@example.com') });
        } else {
          const { grant } = await signInThroughProvider(h, topic);
          res = await api()
            .post(`/api/attestations/${topic}/verify`)
            .send(topic === 'facebook' ? { identity, code: grant } : { identity, 'oauth-verifier': grant });
        }
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body;
      }

      /** Adds `claim` under `topic` to the user's ERC725 identity (as the user); does the verifier accept it? */
      async function addAndCheck(claim: { signature: string; data: string }, topic: number, identity: Contract): Promise<boolean> {
        const data = keccak256(toUtf8Bytes(claim.data));
        await (await identity.getFunction('addClaim')(topic, ECDSA_SCHEME, await chain.issuer.getAddress(), claim.signature, data, '')).wait();
        return (await chain.verifier.getFunction('claimIsValid')(await identity.getAddress(), topic)) as boolean;
      }
      const newIdentity = () => deploy(chain, 'ClaimHolder', chain.user);

      describe('the default signature form', () => {
        harnessPerTest(
          kind,
          (harness) => (h = harness),
          () => pluginOptions(),
        );

        for (const topic of ['phone', 'email', 'facebook', 'twitter'] as const) {
          it(`the ${topic} claim the kit signs for an identity contract is valid in the on-chain verifier`, async () => {
            const identity = await newIdentity();
            const claim = await attest(topic, await identity.getAddress());
            assert.equal(claim['claim-type'], CLAIM_TYPES[topic]);
            assert.equal(await addAndCheck(claim, CLAIM_TYPES[topic], identity), true);
          });
        }

        it('a claim made for another identity, added under another type, or signed by another key is invalid', async () => {
          const [mine, theirs] = [await newIdentity(), await newIdentity()];
          const claim = await attest('phone', await mine.getAddress());
          assert.equal(await addAndCheck(claim, CLAIM_TYPES.phone, theirs), false, 'another identity');
          assert.equal(await addAndCheck(claim, CLAIM_TYPES.email, mine), false, 'another claim type');
          // the same identity and claim text, signed by a key that holds no claim-signer purpose on the issuer
          const hash = keccak256(solidityPacked(['address', 'uint256', 'bytes32'], [await mine.getAddress(), CLAIM_TYPES.phone, keccak256(toUtf8Bytes('phone verified'))]));
          const forged = await Wallet.createRandom().signMessage(getBytes(hash));
          assert.equal(await addAndCheck({ signature: forged, data: 'phone verified' }, CLAIM_TYPES.phone, mine), false, 'another signer');
          assert.equal(await addAndCheck(claim, CLAIM_TYPES.phone, mine), true, 'the genuine claim verifies on the same identity');
        });
      });

      describe('the legacy form (signatureForm: legacy-hex-string)', () => {
        harnessPerTest(
          kind,
          (harness) => (h = harness),
          () => pluginOptions('legacy-hex-string'),
        );

        it("signs the hash's hex text, which the on-chain verifier finds invalid: why it is not the default", async () => {
          const identity = await newIdentity();
          const claim = await attest('phone', await identity.getAddress());
          assert.equal(await addAndCheck(claim, CLAIM_TYPES.phone, identity), false);
        });
      });
    });
  });
}
