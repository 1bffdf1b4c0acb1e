// The kit's JWT verifier (node:crypto on a cached issuer key) against did-jwt-vc called directly
// with the same offline resolver: every case, cold and with the key cached, must end the same
// way, with the same error message (the problem's detail, which goes to the log). Issue 17 item 1.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createLogger, type Kit } from '@w3kit/core';
import { createManualClock, createTestDatabase, testDatabases, type ManualClock, type TestDatabase } from '@w3kit/core/testing';
import { createDidResolver, createJwtVerifier } from '@w3kit/did';
import { ES256KSigner } from 'did-jwt';
import { createVerifiableCredentialJwt, createVerifiablePresentationJwt, normalizeCredential, verifyCredential, verifyPresentation, type Issuer } from 'did-jwt-vc';
import { SigningKey } from 'ethers';
import request from 'supertest';
import { flippedS, hasHighS } from './forged-presentations.js';
import { appFor, didKit, SEED, walletKey, withBadSignature, withPayload, type TestApp } from './support.js';

type Json = Record<string, unknown>;
const libraryResolver = createDidResolver({ chainId: 1 });

/** A did:ethr named by its compressed public key: its document lists #controller (address) and #controllerKey (the key). */
function publicKeyWallet(): { did: string; issuer: Issuer } {
  const key = new SigningKey(randomBytes(32));
  const did = `did:ethr:${key.compressedPublicKey}`;
  return { did, issuer: { did, alg: 'ES256K', signer: ES256KSigner(Buffer.from(key.privateKey.slice(2), 'hex')) } };
}

async function credentialJwt(issuer: Issuer, claims: Json = {}): Promise<string> {
  return createVerifiableCredentialJwt(
    {
      sub: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf',
      vc: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'Profile'], credentialSubject: { name: 'Hong' } },
      ...claims,
    },
    issuer,
  );
}

async function presentationJwt(holder: Issuer, credentials: string[], claims: Json = {}): Promise<string> {
  return createVerifiablePresentationJwt({ vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials }, ...claims }, holder);
}

/** What did-jwt-vc says of a credential at `now`: null when it verifies, else its error message. */
async function libraryCredential(jwt: string, now: number): Promise<string | null> {
  try {
    await verifyCredential(jwt, libraryResolver, { policies: { now }, proofPurpose: 'assertionMethod' });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

async function libraryPresentation(jwt: string, now: number, expect: { audience?: string; challenge?: string }): Promise<string | null> {
  try {
    await verifyPresentation(jwt, libraryResolver, {
      policies: { now, ...(expect.audience ? {} : { aud: false }) },
      proofPurpose: 'authentication',
      ...(expect.audience ? { domain: expect.audience } : {}),
      ...(expect.challenge ? { challenge: expect.challenge } : {}),
    });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('did jwt-fast-verify: the verifier alone', () => {
  it('verifies the Finenex document credential with its cached key, and keeps at most cacheSize keys', async () => {
    const verifier = createJwtVerifier({ resolver: libraryResolver, cacheSize: 2 });
    const now = Math.floor(Date.now() / 1000);
    const jwt = (SEED.verifyVc['proof'] as { jwt: string }).jwt;
    const first = await verifier.verify(jwt, { proofPurpose: 'assertionMethod', now });
    assert.equal(verifier.cachedKeys, 1, 'the key recovered from the first signature is kept');
    const second = await verifier.verify(jwt, { proofPurpose: 'assertionMethod', now });
    assert.deepEqual(second, first);
    for (let i = 0; i < 3; i++) await verifier.verify(await credentialJwt(walletKey().issuer), { proofPurpose: 'assertionMethod', now });
    assert.equal(verifier.cachedKeys, 2);
  });

  it('a cached key does not verify a signature by another key claiming the same DID', async () => {
    const verifier = createJwtVerifier({ resolver: libraryResolver });
    const now = Math.floor(Date.now() / 1000);
    const wallet = walletKey();
    await verifier.verify(await credentialJwt(wallet.issuer), { proofPurpose: 'assertionMethod', now });
    const impostor = walletKey();
    const forged = await credentialJwt({ ...impostor.issuer, did: wallet.did });
    await assert.rejects(verifier.verify(forged, { proofPurpose: 'assertionMethod', now }), /invalid_signature/);
  });
});

for (const kind of testDatabases()) {
  describe(`did jwt-fast-verify: same answers as did-jwt-vc (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    let clock: ManualClock;
    let app: TestApp;
    const lines: string[] = [];
    let sent = 0;

    before(async () => {
      db = await createTestDatabase(kind);
      clock = createManualClock(Date.now());
      kit = await didKit(db.url, { verifyRateLimit: false }, { services: { clock }, logger: createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(line) }) });
      app = appFor(kit).callback();
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

    /**
     * Verifies through POST /v2/did/verify-vc twice (cold, then with the key cached); both must say
     * what did-jwt-vc says, in the request's log (the client reads the kit's words for the code).
     */
    async function sameAsLibrary(label: string, jwt: string): Promise<{ expected: string | null }> {
      const expected = await libraryCredential(jwt, nowSeconds());
      for (const round of ['cold', 'cached']) {
        const requestId = `fast-verify-${sent++}`;
        const res = await request(app)
          .post('/v2/did/verify-vc')
          .set('x-request-id', requestId)
          .send({ ...(normalizeCredentialOrEmpty(jwt) as Json), proof: { type: 'JwtProof2020', jwt } });
        assert.equal(res.status, 200, `${label} (${round}): ${JSON.stringify(res.body)}`);
        assert.equal(res.body.verified, expected === null, `${label} (${round}): did-jwt-vc says ${expected ?? 'verified'}, the kit ${JSON.stringify(res.body)}`);
        if (expected === null) continue;
        const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; problems?: { detail: string }[] }).find((l) => l.reqId === requestId && l.problems);
        assert.equal(logged?.problems?.[0]?.detail, expected, `${label} (${round})`);
        assert.ok(!JSON.stringify(res.body).includes(expected), `${label} (${round}): the library's words stay out of the answer`);
      }
      return { expected };
    }

    it('the Finenex document credential, its twin with S flipped (one of the two has a high S), and both after the key is cached', async () => {
      const jwt = (SEED.verifyVc['proof'] as { jwt: string }).jwt;
      assert.notEqual(hasHighS(jwt), hasHighS(flippedS(jwt)));
      assert.equal((await sameAsLibrary('seed', jwt)).expected, null);
      assert.equal((await sameAsLibrary('seed, S flipped', flippedS(jwt))).expected, null);
    });

    it('tampered payloads and signatures fail as they do in did-jwt, also when the issuer key is cached', async () => {
      const jwt = (SEED.verifyVc['proof'] as { jwt: string }).jwt;
      await sameAsLibrary('warm-up', jwt);
      const tampered = withPayload(jwt, (p) => ((p['vc'] as Json)['credentialSubject'] = { name: 'Kim' }));
      assert.notEqual((await sameAsLibrary('payload changed', tampered)).expected, null);
      assert.notEqual((await sameAsLibrary('signature changed', withBadSignature(jwt))).expected, null);
      const other = walletKey();
      const forged = await credentialJwt({ ...other.issuer, did: 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4' });
      assert.match((await sameAsLibrary('signed by another key', forged)).expected ?? '', /invalid_signature/);
      assert.match((await sameAsLibrary('an issuer DID that does not resolve', await credentialJwt({ ...other.issuer, did: 'did:web:example.com' }))).expected ?? '', /resolver_error/);
      assert.match((await sameAsLibrary('a did:ethr of an unknown network', await credentialJwt({ ...other.issuer, did: `did:ethr:nowhere:${other.did.slice(9)}` }))).expected ?? '', /resolver_error/);
    });

    it('a did:ethr named by its public key, signed credentials of address DIDs, S flipped', async () => {
      for (const wallet of [publicKeyWallet(), walletKey()]) {
        const jwt = await credentialJwt(wallet.issuer);
        assert.equal((await sameAsLibrary(wallet.did, jwt)).expected, null);
        assert.equal((await sameAsLibrary(`${wallet.did}, S flipped`, flippedS(jwt))).expected, null);
      }
    });

    it('time rules at their edges (exp, nbf, iat; did-jwt’s 300 s skew) and an aud a credential may not carry', async () => {
      const wallet = walletKey();
      await sameAsLibrary('warm-up', await credentialJwt(wallet.issuer));
      const now = nowSeconds();
      const cases: [string, Json, boolean][] = [
        ['expired beyond the skew', { exp: now - 301 }, false],
        ['expired within the skew', { exp: now - 299 }, true],
        ['nbf beyond the skew', { nbf: now + 301 }, false],
        ['nbf within the skew', { nbf: now + 299 }, true],
        ['iat in the future, no nbf', { iat: now + 400 }, false],
        ['aud', { aud: 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf' }, false],
      ];
      for (const [label, claims, verifies] of cases) {
        const { expected } = await sameAsLibrary(label, await credentialJwt(wallet.issuer, claims));
        assert.equal(expected === null, verifies, `${label}: ${expected}`);
      }
    });

    it('presentations: audience, challenge, time and tampering as did-jwt-vc’s verifyPresentation, cold and cached', async () => {
      const holder = walletKey();
      const credential = (SEED.verifyVc['proof'] as { jwt: string }).jwt;
      const now = nowSeconds();
      const audience = 'did:ethr:0x1111111111111111111111111111111111111111';
      const cases: [string, string, { audience?: string; challenge?: string }, boolean][] = [
        ['aud and nonce as expected', await presentationJwt(holder.issuer, [credential], { aud: [audience], nonce: 'n-1', nbf: now }), { audience, challenge: 'n-1' }, true],
        ['S flipped', flippedS(await presentationJwt(holder.issuer, [credential], { aud: [audience], nbf: now })), { audience }, true],
        ['another audience', await presentationJwt(holder.issuer, [credential], { aud: ['did:ethr:0x2222222222222222222222222222222222222222'], nbf: now }), { audience }, false],
        ['no audience expected, one named', await presentationJwt(holder.issuer, [credential], { aud: [audience], nbf: now }), {}, true],
        ['another challenge', await presentationJwt(holder.issuer, [credential], { aud: [audience], nonce: 'n-2', nbf: now }), { audience, challenge: 'n-1' }, false],
        ['expired', await presentationJwt(holder.issuer, [credential], { aud: [audience], nbf: now - 1000, exp: now - 400 }), { audience }, false],
        ['tampered', withPayload(await presentationJwt(holder.issuer, [credential], { aud: [audience], nbf: now }), (p) => (p['nonce'] = 'x')), { audience }, false],
      ];
      for (const [label, jwt, expect, verifies] of cases) {
        const expected = await libraryPresentation(jwt, now, expect);
        assert.equal(expected === null, verifies, `${label}: did-jwt-vc says ${expected}`);
        for (const round of ['cold', 'cached']) {
          const result = await kit.services.presentationService.verify({ proof: { type: 'JwtProof2020', jwt } }, expect);
          assert.equal(result.verified, verifies, `${label} (${round}): ${JSON.stringify(result.problems)}`);
          if (expected !== null) assert.equal(result.problems[0]?.detail, expected, `${label} (${round})`);
          if (verifies) assert.equal(result.replayKeys.length, 1);
        }
      }
      assert.ok(kit.services.jwtVerifier.cachedKeys >= 2, 'the holder’s and the Finenex document issuer’s keys are cached');
    });

    it('a high-S twin of a VP has the replay key of the original (login replay rule unchanged with the cache)', async () => {
      const holder = walletKey();
      const jwt = await presentationJwt(holder.issuer, [(SEED.verifyVc['proof'] as { jwt: string }).jwt], { nbf: nowSeconds() });
      const a = await kit.services.presentationService.verify({ proof: { type: 'JwtProof2020', jwt } });
      const b = await kit.services.presentationService.verify({ proof: { type: 'JwtProof2020', jwt: flippedS(jwt) } });
      assert.equal(a.verified && b.verified, true);
      assert.deepEqual(b.replayKeys, a.replayKeys);
    });
  });
}

function normalizeCredentialOrEmpty(jwt: string): unknown {
  try {
    const { proof: _proof, ...rest } = normalizeCredential(jwt) as unknown as Json;
    return rest;
  } catch {
    return {};
  }
}
