import assert from 'node:assert/strict';
import { createLogger, type Kit } from '@w3kit/core';
import { createTestDatabase, testDatabases, type TestDatabase } from '@w3kit/core/testing';
import { decodeJWT } from 'did-jwt';
import request from 'supertest';
import { appFor, createOrganization, createUser, didKit, walletKey, walletPresentation, withBadSignature, type TestApp } from './support.js';

// What a library (jsonld, @digitalbazaar/vc, did-jwt, …) says about bad input reaches the
// request's log at debug, never the answer: the client is told the kit's sentence for the code.

type Json = Record<string, unknown>;

const V1 = 'https://www.w3.org/2018/credentials/v1';
const V2 = 'https://www.w3.org/ns/credentials/v2';
const UNDEFINED_TERMS = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
const UNKNOWN_CONTEXT = 'https://example.com/contexts/unknown.jsonld';

/** What libraries said in the request's debug lines: the verification routes' details, a client error's cause. */
function libraryWords(lines: string[], requestId: string): string[] {
  const words: string[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as { reqId?: string; level: number; problems?: { detail: string }[]; err?: { message?: string; problems?: { detail: string }[] } };
    if (entry.reqId !== requestId || entry.level !== 20) continue;
    for (const p of [...(entry.problems ?? []), ...(entry.err?.problems ?? [])]) words.push(p.detail);
    if (typeof entry.err?.message === 'string') words.push(entry.err.message);
  }
  return words;
}

/** The message of what `fn` throws. */
function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('it did not throw');
}

for (const kind of testDatabases()) {
  describe(`did library error texts stay out of answers (${kind})`, () => {
    let db: TestDatabase;
    let kit: Kit;
    let app: TestApp;
    let verifier: string;
    let org: { bearer: string };
    let credential: Json;
    const lines: string[] = [];
    let sent = 0;

    before(async () => {
      db = await createTestDatabase(kind);
      const logger = createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
      kit = await didKit(db.url, {}, { logger });
      app = appFor(kit).callback();
      verifier = (await request(app).get('/v2/did/verifiers')).body[0].did;
      org = await createOrganization(kit);
      const issued = await request(app)
        .post('/credentials/issue')
        .set('authorization', org.bearer)
        .send({ credential: { '@context': [V2, UNDEFINED_TERMS], type: ['VerifiableCredential'], credentialSubject: { id: 'did:example:holder', degree: 'BSc' } } });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      credential = issued.body.verifiableCredential as Json;
    });
    after(async () => {
      await kit.close();
      await db.drop();
    });

    /**
     * Posts with a request id of its own, then checks the answer's status and code, that the
     * request's log holds what the library said (`expected`, when the test got it from the
     * library itself), and that no word of it is in the body.
     */
    async function expectHidden(path: string, body: unknown, status: number, code: [string, string | number], expected?: string, bearer?: string) {
      const requestId = `liberr-${kind}-${sent++}`;
      const req = request(app).post(path).set('x-request-id', requestId);
      if (bearer) req.set('authorization', bearer);
      const res = await req.send(body as object);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body[code[0]], code[1], JSON.stringify(res.body));
      const answered = JSON.stringify(res.body);
      // as the body's JSON writes it (a library's text quotes, `"not" is not valid JSON`)
      const leaks = (word: string) => answered.includes(JSON.stringify(word).slice(1, -1));
      if (expected !== undefined) assert.ok(!leaks(expected), `the body leaks ${JSON.stringify(expected)}: ${answered}`);
      const words = libraryWords(lines, requestId);
      assert.ok(words.length > 0, `the request's log says what the library said: ${lines.filter((l) => l.includes(requestId)).join('\n')}`);
      if (expected !== undefined) assert.ok(words.includes(expected), `${JSON.stringify(words)} includes the library's ${JSON.stringify(expected)}`);
      for (const word of words) assert.ok(!leaks(word), `the body leaks ${JSON.stringify(word)}: ${answered}`);
      return res;
    }

    const tampered = () => {
      const copy = structuredClone(credential);
      (copy['credentialSubject'] as Json)['degree'] = 'PhD';
      return copy;
    };
    // VC 2.0 without the undefined-terms context: jsonld's safe mode refuses the term it cannot expand
    const undefinedTerm = () => ({ ...structuredClone(credential), '@context': [V2], credentialSubject: { id: 'did:example:holder', degree: 'BSc' } });
    const unknownContext = () => ({ ...structuredClone(credential), '@context': [V2, UNDEFINED_TERMS, UNKNOWN_CONTEXT] });

    it('VC-API /credentials/verify: a broken proof, JSON-LD it cannot expand, an unknown context: 422 in the kit’s words', async () => {
      const broken = await expectHidden('/credentials/verify', { verifiableCredential: tampered() }, 422, ['code', 'CREDENTIAL_NOT_VERIFIED']);
      assert.equal(broken.body.message, 'The credential does not verify: a signature does not verify.');
      assert.deepEqual(broken.body.errors, ['a signature does not verify.']);
      assert.equal(broken.body.problemDetails[0].title, 'SIGNATURE_INVALID');
      assert.equal(broken.body.problemDetails[0].detail, 'a signature does not verify.');

      const malformed = await expectHidden('/credentials/verify', { verifiableCredential: undefinedTerm() }, 422, ['code', 'CREDENTIAL_NOT_VERIFIED']);
      assert.equal(malformed.body.problemDetails[0].title, 'MALFORMED');
      assert.equal(malformed.body.message, 'The credential does not verify: it is malformed.');

      // the kit's own words name the context it does not have; the library's wrapping of them stays in the log
      const unknown = await expectHidden('/credentials/verify', { verifiableCredential: unknownContext() }, 422, ['code', 'CREDENTIAL_NOT_VERIFIED']);
      assert.equal(unknown.body.problemDetails[0].title, 'CONTEXT_UNAVAILABLE');
      assert.match(unknown.body.message, /^The credential does not verify: the JSON-LD document https:\/\/example\.com\/contexts\/unknown\.jsonld is not bundled with this server/);
    });

    it('VC-API /presentations/verify: a broken presentation proof and broken credentials in it: 422 in the kit’s words', async () => {
      const user = await createUser(kit);
      const wallet = walletKey();
      const vc = await request(app)
        .post('/v2/did/create-vc')
        .set('authorization', user.bearer)
        .send({ holder: wallet.did, userInfo: { name: 'Hong' } });
      assert.equal(vc.status, 200, JSON.stringify(vc.body));
      const vp = await walletPresentation(wallet.issuer, [vc.body as Json], { aud: verifier });
      const forged = { ...vp, proof: { ...(vp['proof'] as Json), jwt: withBadSignature((vp['proof'] as { jwt: string }).jwt) } };
      const res = await expectHidden('/presentations/verify', { verifiablePresentation: forged }, 422, ['code', 'PRESENTATION_NOT_VERIFIED']);
      assert.equal(res.body.problemDetails[0].title, 'SIGNATURE_INVALID');
      assert.equal(res.body.message, 'The presentation does not verify: a signature does not verify.');

      // a JWT presentation carries VC 1.1 credentials: a Data Integrity one of the organization's Ed25519 issuer
      const own = (await request(app).get('/v2/did/my-issuers').set('authorization', org.bearer)).body as { did: string }[];
      const issued = await request(app)
        .post('/credentials/issue')
        .set('authorization', org.bearer)
        .send({
          credential: { '@context': [V1, UNDEFINED_TERMS], type: ['VerifiableCredential'], issuer: own[1]!.did, credentialSubject: { id: wallet.did, degree: 'BSc' } },
          options: { format: 'Ed25519Signature2020' },
        });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const v1 = issued.body.verifiableCredential as Json;
      const brokenV1 = structuredClone(v1);
      (brokenV1['credentialSubject'] as Json)['degree'] = 'PhD';
      for (const [what, inner, title, message] of [
        ['broken proof', brokenV1, 'SIGNATURE_INVALID', 'a signature does not verify.'],
        ['JSON-LD it cannot expand', { ...structuredClone(v1), '@context': [V1] }, 'MALFORMED', 'it is malformed.'],
      ] as const) {
        const carrying = await walletPresentation(wallet.issuer, [inner], { aud: verifier });
        const answer = await expectHidden('/presentations/verify', { verifiablePresentation: carrying }, 422, ['code', 'PRESENTATION_NOT_VERIFIED']);
        assert.deepEqual(answer.body.errors, [`verifiableCredential[0]: ${message}`], what);
        assert.equal(answer.body.credentialResults[0].problemDetails[0].title, title, what);
        assert.deepEqual(answer.body.credentialResults[0].errors, [message], what);
      }
    });

    it('VC-API /credentials/issue of a credential jsonld cannot expand: 422 INVALID_CREDENTIAL in the kit’s words', async () => {
      const res = await expectHidden(
        '/credentials/issue',
        { credential: { '@context': [V2], type: ['VerifiableCredential'], credentialSubject: { id: 'did:example:holder', undefinedTerm: 1 } } },
        422,
        ['code', 'INVALID_CREDENTIAL'],
        undefined,
        org.bearer,
      );
      assert.equal(res.body.message, 'The credential cannot be signed: it is malformed.');
    });

    it('the JWT paths with a JWT that does not decode: verify-vc, verify-vp, VC-API verify, in the kit’s words', async () => {
      const jwt = 'bm90.YS1qd3Q.c2lnbmF0dXJl';
      // did-jwt's own words for it, straight from the library
      const words = thrownMessage(() => decodeJWT(jwt));
      const vp = await expectHidden('/v2/did/verify-vp', { proof: { type: 'JwtProof2020', jwt } }, 200, ['code', 'MALFORMED'], words);
      assert.equal(vp.body.verified, false);
      assert.equal(vp.body.reason, 'it is malformed.');
      const credential = await expectHidden('/v2/did/verify-vc', { proof: { type: 'JwtProof2020', jwt } }, 200, ['code', 'MALFORMED']);
      assert.equal(credential.body.verified, false);
      assert.equal(credential.body.reason, 'it is malformed.');
      const vcApi = await expectHidden('/credentials/verify', { verifiableCredential: { proof: { type: 'JwtProof2020', jwt } } }, 422, ['code', 'CREDENTIAL_NOT_VERIFIED']);
      assert.equal(vcApi.body.message, 'The credential does not verify: it is malformed.');
    });

    it('app login with a VP that does not decode or whose signature is broken: 401 in the kit’s words, the library’s in the log', async () => {
      const jwt = 'bm90.YS1qd3Q.c2lnbmF0dXJl';
      const words = thrownMessage(() => decodeJWT(jwt));
      const malformed = await expectHidden('/v2/auth/auth-user-with-vp', { vp: { proof: { type: 'JwtProof2020', jwt } } }, 401, ['reason', 'MALFORMED'], words);
      assert.equal(malformed.body.code, 'PRESENTATION_REJECTED');
      assert.equal(malformed.body.message, 'The presentation does not verify: it is malformed.');

      const wallet = walletKey();
      const vp = await walletPresentation(wallet.issuer, [], { aud: verifier });
      const forged = { ...vp, proof: { ...(vp['proof'] as Json), jwt: withBadSignature((vp['proof'] as { jwt: string }).jwt) } };
      const bad = await expectHidden('/v2/auth/auth-user-with-vp', { vp: forged }, 401, ['reason', 'SIGNATURE_INVALID']);
      assert.equal(bad.body.message, 'The presentation does not verify: a signature does not verify.');
    });
  });
}
