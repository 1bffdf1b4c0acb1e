import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HashAlgorithm, type CallbackContext, type Jwk } from '@openid4vc/oauth2';
import { Openid4vpClient, type Openid4vpAuthorizationRequest } from '@openid4vc/openid4vp';
import { digest, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Kit, type KitPlugin, type Logger, type SdJwtVcIssuer } from '@w3kit/core';
import { appFor, type ManualClock } from '@w3kit/core/testing';
import { oid4vp, type Oid4vpOptions } from '@w3kit/oid4vp';
import { asFunction } from 'awilix';
import { CompactEncrypt, compactVerify, importJWK } from 'jose';

export const MASTER_KEY = randomBytes(32).toString('hex');
/** The one public URL every instance of a test answers under (a load balancer's). */
export const PUBLIC_URL = 'https://w3kit.test';
export const VCT = `${PUBLIC_URL}/credentials/account`;
const GENEROUS = { limit: 10_000, windowSeconds: 60 };

function es256Key() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateJwk: privateKey.export({ format: 'jwk' }) as Jwk, publicJwk: publicKey.export({ format: 'jwk' }) as Jwk };
}

/**
 * A stand-in for the kit's SD-JWT VC issuer (oid4vci), for these tests only: it holds its own
 * ES256 key, issues with @sd-jwt/sd-jwt-vc, and keeps its status list in memory. One object is
 * shared by every instance of a test, as the real issuer's database would be.
 */
export class TestIssuer {
  readonly kid = `key-${randomBytes(4).toString('hex')}`;
  readonly key = es256Key();
  readonly revoked = new Set<number>();
  readonly statusListUri: string;
  private nextIndex = 0;

  constructor(readonly issuer: string = PUBLIC_URL) {
    this.statusListUri = `${issuer}/status-lists/1`;
  }

  /**
   * An SD-JWT VC for the account, bound to the holder's key; `sub` and the user info are
   * selectively disclosable. `nested`: also an `address` whose `street_address` is a disclosure
   * inside the `address` disclosure.
   */
  async issue(accountId: string, holderJwk: Jwk, fields: { vct?: string; kid?: string; signWith?: Jwk; status?: boolean; nested?: boolean } = {}): Promise<{ credential: string; idx: number }> {
    const idx = this.nextIndex++;
    const sdJwt = new SDJwtVcInstance({ signer: await ES256.getSigner(fields.signWith ?? this.key.privateJwk), signAlg: 'ES256', hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt });
    const payload = {
      iss: this.issuer,
      vct: fields.vct ?? VCT,
      iat: Math.floor(Date.now() / 1000),
      sub: `acct:${accountId}`,
      email: `${accountId}@example.com`,
      name: 'Test Holder',
      cnf: { jwk: holderJwk },
      ...(fields.status === false ? {} : { status: { status_list: { idx, uri: this.statusListUri } } }),
      address: fields.nested ? { street_address: '1 Test Street', locality: 'Testville' } : undefined,
    };
    const frame = fields.nested
      ? { _sd: ['sub' as const, 'email' as const, 'name' as const, 'address' as const], address: { _sd: ['street_address' as const] } }
      : { _sd: ['sub' as const, 'email' as const, 'name' as const] };
    const credential = await sdJwt.issue(payload, frame, { header: { kid: fields.kid ?? this.kid, typ: 'dc+sd-jwt' } });
    return { credential, idx };
  }

  /** The contract, as the kit sees it, over the kit's own accounts. */
  contract(kit: { accountExists(id: string): Promise<boolean> }): SdJwtVcIssuer {
    return {
      issuer: this.issuer,
      issuerKey: async (kid) => (kid === this.kid ? this.key.publicJwk : undefined),
      accountIdForSubject: async (sub) => {
        const id = sub.startsWith('acct:') ? sub.slice('acct:'.length) : null;
        return id && (await kit.accountExists(id)) ? id : undefined;
      },
      statusOf: async ({ uri, idx }) => (uri !== this.statusListUri || idx >= this.nextIndex ? undefined : this.revoked.has(idx) ? 'invalid' : 'valid'),
    };
  }
}

/** A test-only plugin that registers the TestIssuer as `sdJwtVcIssuer`. */
export function testIssuerPlugin(issuer: TestIssuer) {
  return {
    name: 'test-sd-jwt-vc-issuer',
    requires: ['auth'],
    register(container) {
      container.register({
        sdJwtVcIssuer: asFunction(({ accountDirectory }) => issuer.contract({ accountExists: async (id) => (await accountDirectory.get(id)) !== null })).singleton(),
      });
    },
  } satisfies KitPlugin;
}

export interface Instance {
  kit: Kit;
  /** The instance's own address (behind the load balancer). */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** One instance of the kit (auth, the test issuer unless `issuer` is null, oid4vp) on a real HTTP server, under PUBLIC_URL. */
export async function startInstance(databaseUrl: string, issuer: TestIssuer | null, options: Oid4vpOptions = {}, clock?: ManualClock, logger?: Logger): Promise<Instance> {
  const kit = await createKit({
    database: databaseUrl,
    plugins: [auth(), ...(issuer ? [testIssuerPlugin(issuer)] : []), oid4vp(options)],
    logger: logger ?? createLogger({ level: 'silent' }),
    ...(clock ? { services: { clock } } : {}),
    config: {
      masterKey: MASTER_KEY,
      mode: 'test',
      passwordHashCost: 10,
      housekeepingIntervalSeconds: 0,
      publicUrl: PUBLIC_URL,
      rateLimits: { 'oid4vp.request': GENEROUS, 'oid4vp.response': GENEROUS, 'oid4vp.result': GENEROUS },
    },
  });
  const listener = appFor(kit).callback();
  const server = createServer((req, res) => void listener(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    kit,
    url,
    server,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await kit.close();
    },
  };
}

/**
 * The load balancer: a fetch that sends PUBLIC_URL to whichever instance `to` names now. The
 * wallet and the site reach the kit only through it, so a test picks the instance of each step.
 */
export function loadBalancer(first: Instance) {
  let target = first;
  const rewrite = (input: string | URL) => String(input).replace(PUBLIC_URL, target.url);
  return {
    to(instance: Instance) {
      target = instance;
    },
    fetch: ((input: string | URL | Request, init?: RequestInit) => fetch(input instanceof Request ? new Request(rewrite(input.url), input) : rewrite(input), init)) as typeof fetch,
  };
}

/** The site's side: start a request, collect its result (JSON over the load balancer). */
export function site(lb: { fetch: typeof fetch }) {
  const post = async (path: string, body: object) => {
    const res = await lb.fetch(`${PUBLIC_URL}/oid4vp${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return {
    async start(body: object = {}) {
      const res = await post('/requests', body);
      if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { transaction_id: string; authorization_request: string; request_uri: string; result_token: string; expires_at: string };
    },
    startRaw: (body: object) => post('/requests', body),
    collect: (body: object) => post('/result', body),
  };
}

const sha = (data: Uint8Array, alg: HashAlgorithm) => createHash(alg.replace('-', '')).update(data).digest();

/** did:web → the URL of its DID document (did:web spec §3.2). */
function didWebUrl(did: string): string {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  return `https://${host}/${path.length > 0 ? path.join('/') : '.well-known'}/did.json`;
}

/** What the wallet does to its presentation before it answers (a test's attack). */
export interface WalletTweaks {
  aud?: string;
  nonce?: string;
  /** Which selectively disclosable claims to disclose (nested: an object per claim); default `{ sub: true }`. */
  disclose?: Record<string, boolean | Record<string, boolean>>;
  /** Rewrites the presentation (`<jwt>~<disclosures>~<kb-jwt>`) after the key-binding JWT is made. */
  presentation?: (vp: string) => string | Promise<string>;
  /** Makes the key-binding JWT over a presentation rewritten before it (the holder tampers and signs). */
  beforeKeyBinding?: (vp: string) => string;
  iat?: number;
}

/**
 * The wallet: third-party code, the OpenWallet Foundation's Openid4vpClient with a key of its
 * own, resolving the verifier's did:web to check the request object, encrypting to the key in
 * the request's client_metadata, presenting with @sd-jwt/sd-jwt-vc.
 */
export class TestWallet {
  readonly key = es256Key();
  readonly client: Openid4vpClient;

  constructor(private readonly lb: { fetch: typeof fetch }) {
    const callbacks: Omit<CallbackContext, 'generateRandom' | 'clientAuthentication'> = {
      fetch: lb.fetch,
      hash: sha,
      async verifyJwt(signer, { compact }) {
        if (signer.method !== 'did') return { verified: false };
        const document = (await (await lb.fetch(didWebUrl(signer.didUrl.split('#')[0]!))).json()) as { verificationMethod: { id: string; publicKeyJwk: Jwk }[] };
        const method = document.verificationMethod.find((m) => m.id === signer.didUrl);
        if (!method) return { verified: false };
        try {
          await compactVerify(compact, await importJWK(method.publicKeyJwk, 'ES256'));
          return { verified: true, signerJwk: method.publicKeyJwk };
        } catch {
          return { verified: false };
        }
      },
      async encryptJwe(encryptor, data) {
        const jwe = await new CompactEncrypt(new TextEncoder().encode(data))
          .setProtectedHeader({
            alg: encryptor.alg,
            enc: encryptor.enc,
            ...(encryptor.publicJwk.kid ? { kid: encryptor.publicJwk.kid } : {}),
            ...(encryptor.apu ? { apu: encryptor.apu } : {}),
            ...(encryptor.apv ? { apv: encryptor.apv } : {}),
          })
          .encrypt(await importJWK(encryptor.publicJwk, encryptor.alg));
        return { jwe, encryptionJwk: encryptor.publicJwk };
      },
      signJwt() {
        throw new Error('the test wallet signs no JARM response');
      },
      decryptJwe() {
        throw new Error('the test wallet decrypts nothing');
      },
    };
    this.client = new Openid4vpClient({ callbacks });
  }

  /** Reads the openid4vp:// URL (the QR code), fetches and checks the request object. */
  async resolve(authorizationRequest: string) {
    const parsed = this.client.parseOpenid4vpAuthorizationRequest({ authorizationRequest });
    return this.client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params });
  }

  /** The presentation of `credential` for the request, with the tweaks of a test. */
  async present(credential: string, request: Openid4vpAuthorizationRequest, audience: string, tweaks: WalletTweaks = {}): Promise<string> {
    const holder = new SDJwtVcInstance({ hasher: digest, hashAlg: 'sha-256', kbSigner: await ES256.getSigner(this.key.privateJwk), kbSignAlg: 'ES256' });
    const kb = { payload: { iat: tweaks.iat ?? Math.floor(Date.now() / 1000), aud: tweaks.aud ?? audience, nonce: tweaks.nonce ?? request.nonce } };
    if (tweaks.beforeKeyBinding) {
      // the library would drop a disclosure the credential does not reference, so the tampering
      // holder signs its key-binding JWT by hand over exactly what it sends
      const bare = tweaks.beforeKeyBinding(await holder.present(credential, tweaks.disclose ?? { sub: true }));
      const sdHash = createHash('sha256').update(bare).digest('base64url');
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const signingInput = `${part({ typ: 'kb+jwt', alg: 'ES256' })}.${part({ ...kb.payload, sd_hash: sdHash })}`;
      return `${bare}${signingInput}.${await (await ES256.getSigner(this.key.privateJwk))(signingInput)}`;
    }
    const vp = await holder.present(credential, tweaks.disclose ?? { sub: true }, { kb });
    return tweaks.presentation ? tweaks.presentation(vp) : vp;
  }

  /** Sends the answer the way the request asks (direct_post or direct_post.jwt); the kit's status and JSON body. */
  async answer(request: Openid4vpAuthorizationRequest, vpToken: Record<string, string[]>): Promise<{ status: number; body: Record<string, unknown> }> {
    const jwt = request.response_mode === 'direct_post.jwt';
    const response = await this.client.createOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: { vp_token: vpToken },
      ...(jwt
        ? {
            jarm: {
              encryption: { nonce: randomBytes(16).toString('base64url') },
              serverMetadata: {
                authorization_signing_alg_values_supported: [],
                authorization_encryption_alg_values_supported: ['ECDH-ES'],
                authorization_encryption_enc_values_supported: ['A128GCM', 'A256GCM'],
              },
            },
          }
        : {}),
    });
    const submitted = await this.client.submitOpenid4vpAuthorizationResponse({
      authorizationRequestPayload: request,
      authorizationResponsePayload: response.authorizationResponsePayload,
      ...(response.jarm ? { jarm: { responseJwt: response.jarm.responseJwt } } : {}),
    });
    return { status: submitted.response.status, body: (await submitted.response.json()) as Record<string, unknown> };
  }

  /** The whole wallet side: read the QR code's request, present the credential, answer. */
  async login(authorizationRequest: string, credential: string, tweaks: WalletTweaks = {}) {
    const resolved = await this.resolve(authorizationRequest);
    const request = resolved.authorizationRequestPayload as Openid4vpAuthorizationRequest;
    const vp = await this.present(credential, request, resolved.client.effective, tweaks);
    return { request, vp, audience: resolved.client.effective, ...(await this.answer(request, { account: [vp] })) };
  }
}

/** An end user of the kit, and the id the issuer's `sub` names. */
export async function endUser(kit: Kit, loginId = `holder-${randomBytes(4).toString('hex')}`): Promise<string> {
  const account = await kit.services.accountService.createEndUser({ loginId, password: 'correct horse battery' });
  return account.id;
}
