// Issue 17 (idle RSS): the built standalone server starts without importing ethers, ethr-did-resolver
// or qrcode — each is imported by the first request that needs it — and a library that cannot be
// imported then answers that request's 5xx envelope, while the process keeps serving.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJWT, ES256KSigner } from 'did-jwt';
import { SigningKey, computeAddress } from 'ethers';
import { startServer, type Env } from './newcomer-support.js';

const BLOCKER = fileURLToPath(new URL('./fixtures/block-lazy-libraries.mjs', import.meta.url));
const LAZY = ['ethers', 'ethr-did-resolver', 'qrcode'];

/** Development mode, SQLite, with every lazily loaded path composed: the QR pages and a did:ethr registry (on a node that is not there). */
const envOf = (dir: string): Env => ({
  W3KIT_DATA_DIR: dir,
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'https://w3kit.localhost',
  OID4VP: 'true',
  OID4VP_LOGIN_PAGE: 'true',
  DID_LOGIN_DEMO: 'true',
  DID_CHAIN_ID: '31337',
  DID_ETHR_RPC_URL: 'http://127.0.0.1:9',
});

/** The kit's 500 envelope (Web3Connect-style routes and pages alike). */
const internalError = (path: string) => ({ status: 500, error: 'Internal Server Error', code: 'INTERNAL_ERROR', message: 'Internal server error.', path });

/** A JWT VC of a did:ethr of the registry's chain (31337 = 0x7a69): verifying it reads the registry. */
async function registryCredential(): Promise<string> {
  const key = new SigningKey(randomBytes(32));
  const did = `did:ethr:0x7a69:${computeAddress(key.publicKey).toLowerCase()}`;
  const vc = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential'], credentialSubject: { id: 'did:example:holder', name: 'x' } };
  return createJWT({ vc, sub: 'did:example:holder', nbf: Math.floor(Date.now() / 1000) - 60 }, { issuer: did, signer: ES256KSigner(Buffer.from(key.privateKey.slice(2), 'hex')) }, { alg: 'ES256K' });
}

describe('lazy libraries: the standalone server imports ethers, ethr-did-resolver and qrcode on first use (issue 17)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'w3kit-lazy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with the three unimportable, and a request that needs one answers its 5xx envelope while the server keeps serving', async () => {
    const server = await startServer({
      ...envOf(dir),
      NODE_OPTIONS: `--import=${BLOCKER}`,
      W3KIT_BLOCK_MODULES: LAZY.join(','),
    });
    try {
      const page = await fetch(`${server.url}/oid4vp/login`);
      assert.equal(page.status, 500);
      assert.deepEqual(await page.json(), internalError('/oid4vp/login'));
      const demo = await fetch(`${server.url}/v2/login-demo`);
      assert.equal(demo.status, 500);
      assert.deepEqual(await demo.json(), internalError('/v2/login-demo'));
      // the registry's resolver (and ethers) cannot load: the server's fault, not a credential that does not verify
      const verified = await fetch(`${server.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: { proof: { type: 'JwtProof2020', jwt: await registryCredential() } } }),
      });
      assert.equal(verified.status, 500);
      assert.deepEqual(await verified.json(), internalError('/credentials/verify'));
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('without the block, the first request after start imports the library and answers: the QR pages, and a registry read (the node is down: not found)', async () => {
    const server = await startServer(envOf(dir));
    try {
      const page = await fetch(`${server.url}/oid4vp/login`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<img id="qr" alt="OpenID4VP request QR code" src="data:image\/png;base64,/);
      const demo = await fetch(`${server.url}/v2/login-demo`);
      assert.equal(demo.status, 200);
      assert.match(await demo.text(), /src="data:image\/png;base64,/);
      const verified = await fetch(`${server.url}/credentials/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verifiableCredential: { proof: { type: 'JwtProof2020', jwt: await registryCredential() } } }),
      });
      assert.equal(verified.status, 422);
      const answer = (await verified.json()) as { code: string; problemDetails: { title: string; detail: string }[] };
      assert.equal(answer.code, 'CREDENTIAL_NOT_VERIFIED');
      assert.deepEqual(
        answer.problemDetails.map((p) => p.title),
        ['DID_UNRESOLVABLE'],
      );
      assert.match(answer.problemDetails[0]!.detail, /the did:ethr registry of chain 31337 could not be read for did:ethr:0x7a69:0x[0-9a-f]{40}$/);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
