import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientAuthenticationNone, setGlobalConfig, type Jwk } from '@openid4vc/oauth2';
import { Openid4vciClient, type CredentialOfferObject, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type Clock, type EmailMessage, type Kit, type KitConfigInput, type SmsMessage } from '@w3kit/core';
import { appFor, createTestDatabase, type TestDatabase, type TestDatabaseKind } from '@w3kit/core/testing';
import { did } from '@w3kit/did';
import { oid4vci, type Oid4vciOptions } from '@w3kit/oid4vci';
import { oidc, type OidcOptions } from '@w3kit/oidc';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { MASTER_KEY } from '../../auth/test/support.js';

/** What the kits' senders were asked to deliver (the tx_codes). */
export interface Outbox {
  sms: SmsMessage[];
  email: EmailMessage[];
}

/**
 * Kits with auth, did and oid4vci on one database, behind one URL (the credential issuer
 * identifier): a small HTTP proxy in front sends each request to the instance `route` picks
 * (instance 0 by default), as a load balancer would.
 */
export async function startIssuer(
  databaseUrl: string,
  options: {
    instances?: number;
    oid4vci?: Oid4vciOptions;
    /** Composes @w3kit/oidc (the authorization code flow) with these options. */ oidc?: OidcOptions;
    route?: (path: string) => number;
    clock?: Clock;
    rateLimits?: KitConfigInput['rateLimits'];
  } = {},
) {
  const outbox: Outbox = { sms: [], email: [] };
  let route = options.route ?? (() => 0);
  const upstreams: { port: number }[] = [];
  /** Requests each instance served, by path. */
  const served: string[][] = [];
  const proxy: Server = createServer((req, res) => {
    const index = route(req.url ?? '/');
    served[index]!.push(req.url ?? '/');
    const target = upstreams[index]!;
    const forward = httpRequest({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  proxy.listen(0, '127.0.0.1');
  await new Promise((resolve) => proxy.once('listening', resolve));
  const publicUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const kits: Kit[] = [];
  const servers: Server[] = [];
  for (let i = 0; i < (options.instances ?? 1); i++) {
    const kit = await createKit({
      database: databaseUrl,
      plugins: [auth(), did(), ...(options.oidc ? [oidc(options.oidc)] : []), oid4vci(options.oid4vci)],
      logger: createLogger({ level: 'silent' }),
      services: {
        smsSender: { development: false, send: async (m) => void outbox.sms.push(m) },
        emailSender: { development: false, send: async (m) => void outbox.email.push(m) },
        ...(options.clock ? { clock: options.clock } : {}),
      },
      config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl, ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}) },
    });
    const server = createServer(appFor(kit).callback());
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    upstreams.push({ port: (server.address() as AddressInfo).port });
    served.push([]);
    kits.push(kit);
    servers.push(server);
  }
  return {
    kit: kits[0]!,
    kits,
    publicUrl,
    outbox,
    served,
    /** Changes which instance serves which path from now on. */
    routeTo(next: (path: string) => number) {
      route = next;
    },
    async close() {
      for (const server of [proxy, ...servers]) await new Promise((resolve) => server.close(resolve));
      for (const kit of kits) await kit.close();
    },
  };
}

export type Issuer = Awaited<ReturnType<typeof startIssuer>>;

/** An end user with a password, phone and email, and an access token of the kit. */
export async function endUser(issuer: Issuer, name = 'Hong Gildong') {
  const login = `user${randomBytes(4).toString('hex')}`;
  const account = await issuer.kit.services.accountService.createEndUser({ loginId: login, email: `${login}@example.com`, phoneNumber: '+821012345678', password: 'correct horse battery', name });
  const { token } = await issuer.kit.services.accountService.loginWithPassword(login, 'correct horse battery', '127.0.0.1');
  return { account, token };
}

/** POST /v2/oid4vci/offers as the bearer of `token`. */
export async function createOffer(issuer: Issuer, token: string, body: Record<string, unknown>) {
  const res = await fetch(`${issuer.publicUrl}/v2/oid4vci/offers`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The offer a test's end user creates for themselves; throws unless it is created. */
export async function offerFor(issuer: Issuer, token: string, credentialConfigurationId: string, txCode?: 'sms' | 'email', grant?: 'authorization_code') {
  const { status, body } = await createOffer(issuer, token, { credential_configuration_id: credentialConfigurationId, ...(txCode ? { tx_code: txCode } : {}), ...(grant ? { grant } : {}) });
  if (status !== 201) throw new Error(`offer: ${status} ${JSON.stringify(body)}`);
  return body as { offer_id: string; credential_offer: string; credential_offer_uri: string; page_url: string };
}

/** The tx_code in the last message of the outbox. */
export const txCodeIn = (text: string) => /(\d{6})/.exec(text)?.[1] ?? '';

/**
 * A wallet: third-party code, the OpenWallet Foundation library's `Openid4vciClient`, with an
 * ES256 key it generates (jose) and the platform's fetch.
 */
export async function newWallet(options: { fetch?: typeof fetch; key?: { privateJwk: Jwk; publicJwk: Jwk } } = {}) {
  // the test servers are http://127.0.0.1; a wallet refuses http issuers unless told
  setGlobalConfig({ allowInsecureUrls: true });
  const { publicKey, privateKey } = options.key
    ? { publicKey: await importJWK(options.key.publicJwk as JWK, 'ES256'), privateKey: await importJWK(options.key.privateJwk as JWK, 'ES256') }
    : await generateKeyPair('ES256', { extractable: true });
  const publicJwk = options.key ? options.key.publicJwk : ((await exportJWK(publicKey)) as Jwk);
  const client = new Openid4vciClient({
    callbacks: {
      hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      generateRandom: (bytes) => randomBytes(bytes),
      fetch: options.fetch ?? fetch,
      clientAuthentication: clientAuthenticationNone({ clientId: 'test-wallet' }),
      async signJwt(_signer, { header, payload }) {
        return { jwt: await new SignJWT(payload).setProtectedHeader(header).sign(privateKey), signerJwk: publicJwk };
      },
    },
  });
  return { client, publicJwk, privateKey: privateKey as CryptoKey };
}

export type Wallet = Awaited<ReturnType<typeof newWallet>>;

/** The wallet's steps up to the access token. */
export async function walletToken(wallet: Wallet, credentialOffer: string, txCode?: string) {
  const offer: CredentialOfferObject = await wallet.client.resolveCredentialOffer(credentialOffer);
  const issuerMetadata: IssuerMetadataResult = await wallet.client.resolveIssuerMetadata(offer.credential_issuer);
  const { accessTokenResponse } = await wallet.client.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer: offer, issuerMetadata, ...(txCode ? { txCode } : {}) });
  return { offer, issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId: offer.credential_configuration_ids[0]! };
}

/** The whole pre-authorized code flow; the credential the issuer returned. */
export async function receiveCredential(wallet: Wallet, credentialOffer: string, txCode?: string) {
  const { issuerMetadata, accessToken, credentialConfigurationId } = await walletToken(wallet, credentialOffer, txCode);
  return credentialFor(wallet, issuerMetadata, accessToken, credentialConfigurationId);
}

/** The wallet's proof JWT for a credential request, on a fresh c_nonce from the nonce endpoint. */
export async function walletProof(wallet: Wallet, issuerMetadata: IssuerMetadataResult, credentialConfigurationId: string) {
  const { c_nonce } = await wallet.client.requestNonce({ issuerMetadata });
  const { jwt } = await wallet.client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId,
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk: wallet.publicJwk },
  });
  return jwt;
}

/** The wallet's nonce, proof and credential request with an access token (of either flow); the credential. */
export async function credentialFor(wallet: Wallet, issuerMetadata: IssuerMetadataResult, accessToken: string, credentialConfigurationId: string) {
  const jwt = await walletProof(wallet, issuerMetadata, credentialConfigurationId);
  const { credentialResponse } = await wallet.client.retrieveCredentials({ issuerMetadata, accessToken, credentialConfigurationId, proof: { proof_type: 'jwt', jwt } });
  const first = credentialResponse.credentials?.[0];
  return (first && typeof first === 'object' && 'credential' in first ? first.credential : first) as string | Record<string, unknown>;
}

/** A proof JWT made by hand (for the bad-proof tests): any header and payload, signed by `key`. */
export async function handMadeProof(key: CryptoKey, header: Record<string, unknown>, payload: Record<string, unknown>) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', ...header }).sign(key);
}

/** POST /oid4vci/credential with a proof, raw: status and body. */
export async function postCredential(issuer: Issuer, accessToken: string, credentialConfigurationId: string, jwt: string) {
  const res = await fetch(`${issuer.publicUrl}/oid4vci/credential`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ credential_configuration_id: credentialConfigurationId, proofs: { jwt: [jwt] } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** POST /oid4vci/token, form-encoded, raw. */
export async function postToken(issuer: Issuer, fields: Record<string, string>) {
  const res = await fetch(`${issuer.publicUrl}/oid4vci/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A fresh c_nonce from the nonce endpoint. */
export async function freshNonce(issuer: Issuer): Promise<string> {
  const res = await fetch(`${issuer.publicUrl}/oid4vci/nonce`, { method: 'POST' });
  return ((await res.json()) as { c_nonce: string }).c_nonce;
}

/** The pre-authorized code of an offer, as the wallet reads it from the offer document (which it can fetch once). */
export async function preAuthorizedCodeOf(credentialOffer: string) {
  const uri = new URL(credentialOffer).searchParams.get('credential_offer_uri')!;
  const document = (await (await fetch(uri)).json()) as { grants: Record<string, { 'pre-authorized_code': string }> };
  return document.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']!['pre-authorized_code'];
}

export const PRE_AUTH_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/** Mocha hooks for a suite: a fresh database of `kind` and an issuer on it, closed after. Read `.issuer` inside the tests. */
export function issuerForSuite(kind: TestDatabaseKind, options: Parameters<typeof startIssuer>[1] = {}) {
  let db: TestDatabase | undefined;
  const suite = { issuer: undefined as unknown as Issuer };
  before(async () => {
    db = await createTestDatabase(kind);
    suite.issuer = await startIssuer(db.url, options);
  });
  after(async () => {
    await suite.issuer?.close();
    await db?.drop();
  });
  return suite;
}
