// did:ethr through the ERC-1056 EthereumDIDRegistry on a real chain (anvil): owner changes,
// delegates and attributes are honoured, and no cached document or key outlives a rotation by
// more than `ethrRegistry.cacheSeconds`. Issue 19 (did:ethr with the registry) and issue 17's
// key cache under rotation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, startAnvil, testDatabases, type Anvil, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { ES256KSigner } from 'did-jwt';
import { createVerifiableCredentialJwt, type Issuer } from 'did-jwt-vc';
import { Contract, ContractFactory, encodeBytes32String, JsonRpcProvider, parseEther, toBeHex, Wallet } from 'ethers';
import { EthereumDIDRegistry } from 'ethr-did-resolver';
import { appFor, didKit, poster, type TestApp } from './support.js';

const CACHE_SECONDS = 30;
const VALIDITY = 365 * 24 * 3600;

interface Chain {
  anvil: Anvil;
  provider: JsonRpcProvider;
  registry: Contract;
  address: string;
}

async function fundedWallet(chain: Chain): Promise<Wallet> {
  const wallet = new Wallet(`0x${randomBytes(32).toString('hex')}`, chain.provider);
  await chain.anvil.rpc('anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))]);
  return wallet;
}

/** A credential JWT claiming `did` as issuer, signed with `key`'s private key. */
function credentialBy(did: string, key: { privateKey: string }): Promise<string> {
  const issuer: Issuer = { did, alg: 'ES256K', signer: ES256KSigner(Buffer.from(key.privateKey.slice(2), 'hex')) };
  return createVerifiableCredentialJwt(
    {
      sub: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf',
      vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'Profile'], credentialSubject: { name: 'Hong' } },
    },
    issuer,
  );
}

describe('did ethr-registry: did:ethr through the ERC-1056 registry on anvil', function () {
  this.timeout(120_000);
  let chain: Chain;

  before(async () => {
    const anvil = await startAnvil();
    const provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 }); // no cached nonce between two sends
    const partial = { anvil, provider } as Chain;
    const deployer = await fundedWallet(partial);
    const registry = (await new ContractFactory(EthereumDIDRegistry.abi, EthereumDIDRegistry.bytecode, deployer).deploy()) as Contract;
    await registry.waitForDeployment();
    chain = { anvil, provider, registry, address: await registry.getAddress() };
  });
  after(async () => {
    chain?.provider.destroy();
    await chain?.anvil.stop();
  });

  const didOf = (address: string) => `did:ethr:0x${chain.anvil.chainId.toString(16)}:${address.toLowerCase()}`;
  const send = async (identity: Wallet, method: string, ...args: unknown[]) => {
    const receipt = await (await (chain.registry.connect(identity) as Contract).getFunction(method)(identity.address, ...args)).wait();
    return (await chain.provider.getBlock(receipt.blockNumber))!.timestamp;
  };
  /**
   * A revocation sets the delegate's or attribute's validity to its block's time, and
   * ethr-did-resolver keeps it valid up to that second inclusive, by the wall clock: wait it out.
   */
  const pastSecond = async (timestamp: number) => {
    const wait = (timestamp + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
  };

  for (const kind of testDatabases()) {
    describe(kind, () => {
      let db: TestDatabase;
      let clock: ManualClock;
      let kit: Kit;
      let offline: Kit;
      let app: TestApp;
      let offlineApp: TestApp;

      before(async () => {
        db = await createTestDatabase(kind);
        clock = createManualClock(Date.now());
        const ethrRegistry = { rpcUrl: chain.anvil.url, chainId: chain.anvil.chainId, registry: chain.address, cacheSeconds: CACHE_SECONDS };
        kit = await didKit(db.url, { verifyRateLimit: false, ethrRegistry }, { services: { clock } });
        offline = await didKit(db.url, { verifyRateLimit: false, networks: { anvil: chain.anvil.chainId } }, { services: { clock } });
        app = appFor(kit).callback();
        offlineApp = appFor(offline).callback();
      });
      after(async () => {
        await kit.close();
        await offline.close();
        await db.drop();
      });

      /** POST /v2/did/verify-vc with the bare proof; the Finenex answer. */
      const verify = async (jwt: string, on: TestApp = app) => {
        const res = await poster(on)('/v2/did/verify-vc', { proof: { type: 'JwtProof2020', jwt } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body as { verified: boolean; code?: string; reason?: string };
      };
      const expectRefused = (body: { verified: boolean; code?: string }, label: string) => {
        assert.equal(body.verified, false, label);
        assert.equal(body.code, 'SIGNATURE_INVALID', label);
      };

      it('an unchanged DID verifies its own key through the registry; a key not its own does not', async () => {
        const owner = await fundedWallet(chain);
        const did = didOf(owner.address);
        assert.equal((await verify(await credentialBy(did, owner))).verified, true);
        assert.equal((await verify(await credentialBy(did, owner))).verified, true, 'again, with the document and key cached');
        expectRefused(await verify(await credentialBy(did, Wallet.createRandom())), 'a stranger’s key');
        assert.ok(kit.services.jwtVerifier.cachedKeys >= 1);
      });

      it('owner changed: the old owner’s cached key verifies for at most cacheSeconds, then never; the new owner’s verifies', async () => {
        const owner = await fundedWallet(chain);
        const next = await fundedWallet(chain);
        const did = didOf(owner.address);
        const byOld = await credentialBy(did, owner);
        assert.equal((await verify(byOld)).verified, true, 'before the change (document and key now cached)');
        await send(owner, 'changeOwner', next.address);
        clock.advance((CACHE_SECONDS - 1) * 1000);
        assert.equal((await verify(byOld)).verified, true, 'within the documented bound the cached document still names the old owner');
        clock.advance(2000);
        expectRefused(await verify(byOld), 'after cacheSeconds the old owner’s key is rotated out');
        expectRefused(await verify(await credentialBy(did, owner)), 'a new credential by the old owner');
        assert.equal((await verify(await credentialBy(did, next))).verified, true, 'the new owner signs for the DID');
        assert.equal((await verify(byOld, offlineApp)).verified, true, 'without ethrRegistry the DID resolves offline, as before: the registry is not asked');
      });

      it('a delegate added (veriKey) signs for the DID; revoked, it stops once cacheSeconds have passed', async () => {
        const owner = await fundedWallet(chain);
        const delegate = Wallet.createRandom();
        const did = didOf(owner.address);
        expectRefused(await verify(await credentialBy(did, delegate)), 'before it is a delegate');
        await send(owner, 'addDelegate', encodeBytes32String('veriKey'), delegate.address, VALIDITY);
        clock.advance((CACHE_SECONDS + 1) * 1000);
        const byDelegate = await credentialBy(did, delegate);
        assert.equal((await verify(byDelegate)).verified, true, 'a delegate');
        assert.equal((await verify(byDelegate)).verified, true, 'a delegate, key cached');
        await pastSecond(await send(owner, 'revokeDelegate', encodeBytes32String('veriKey'), delegate.address));
        clock.advance((CACHE_SECONDS + 1) * 1000);
        expectRefused(await verify(byDelegate), 'a revoked delegate');
        assert.equal((await verify(await credentialBy(did, owner))).verified, true, 'the owner still signs');
      });

      it('an attribute set (a new secp256k1 verification key) signs for the DID; revoked, it stops once cacheSeconds have passed', async () => {
        const owner = await fundedWallet(chain);
        const key = Wallet.createRandom();
        const did = didOf(owner.address);
        const name = encodeBytes32String('did/pub/Secp256k1/veriKey/hex');
        await send(owner, 'setAttribute', name, key.signingKey.compressedPublicKey, VALIDITY);
        clock.advance((CACHE_SECONDS + 1) * 1000);
        const byKey = await credentialBy(did, key);
        assert.equal((await verify(byKey)).verified, true, 'the attribute’s key');
        assert.equal((await verify(byKey)).verified, true, 'the attribute’s key, cached');
        await pastSecond(await send(owner, 'revokeAttribute', name, key.signingKey.compressedPublicKey));
        clock.advance((CACHE_SECONDS - 1) * 1000);
        assert.equal((await verify(byKey)).verified, true, 'within the documented bound');
        clock.advance(2000);
        expectRefused(await verify(byKey), 'a revoked attribute key');
      });
    });
  }

  describe('did ethr-registry: a node that cannot be reached', () => {
    let db: TestDatabase;
    let kit: Kit;

    before(async () => {
      db = await createTestDatabase('sqlite');
      kit = await didKit(db.url, { verifyRateLimit: false, ethrRegistry: { rpcUrl: 'http://127.0.0.1:9', chainId: 31337 } });
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    it('answers DID_UNRESOLVABLE without the node’s URL or error, and DIDs of other chains resolve offline', async () => {
      const owner = Wallet.createRandom();
      const res = await poster(appFor(kit).callback())('/v2/did/verify-vc', { proof: { type: 'JwtProof2020', jwt: await credentialBy(`did:ethr:0x7a69:${owner.address.toLowerCase()}`, owner) } });
      assert.equal(res.status, 200);
      assert.equal(res.body.verified, false);
      assert.equal(res.body.code, 'DID_UNRESOLVABLE');
      assert.doesNotMatch(res.body.reason, /127\.0\.0\.1|ECONNREFUSED|:9\b/);
      const mainnet = await poster(appFor(kit).callback())('/v2/did/verify-vc', { proof: { type: 'JwtProof2020', jwt: await credentialBy(`did:ethr:${owner.address.toLowerCase()}`, owner) } });
      assert.equal(mainnet.body.verified, true, JSON.stringify(mainnet.body));
    });
  });
});
