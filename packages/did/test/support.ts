import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { auth } from '@w3kit/auth';
import { createKit, createLogger, type CreateKitOptions, type Kit, type KitConfigInput } from '@w3kit/core';
import { did, type DidOptions, type DocumentLoader } from '@w3kit/did';
import { ES256KSigner } from 'did-jwt';
import { createVerifiablePresentationJwt, normalizePresentation, type Issuer } from 'did-jwt-vc';
import { computeAddress, SigningKey } from 'ethers';
import type Koa from 'koa';
import request from 'supertest';

export const MASTER_KEY = randomBytes(32).toString('hex');
export const PUBLIC_URL = 'http://127.0.0.1:3000';

type Json = Record<string, unknown>;

/**
 * The Finenex document's own examples (seeds/004_…): the auth-user-with-vp body, the verify-vc
 * body (its closing brace is missing in the document), the create-vp body and the verify-vp body.
 */
export const SEED = JSON.parse(readFileSync(new URL('./fixtures/seed-examples.json', import.meta.url), 'utf8')) as {
  authUserWithVp: { vp: Json };
  verifyVc: Json;
  createVp: { holder: string; verifier: string; credentials: Json[] };
  verifyVp: Json;
};

/** A kit with auth and did on `url`: test-speed hashing, no background sweeps. */
export function didKit(url: string, options: DidOptions = {}, extra: Omit<Partial<CreateKitOptions>, 'config'> & { config?: Partial<KitConfigInput> } = {}): Promise<Kit> {
  return createKit({
    database: url,
    plugins: [auth(), did(options)],
    logger: createLogger({ level: 'silent' }),
    ...extra,
    config: { masterKey: MASTER_KEY, mode: 'test', passwordHashCost: 10, housekeepingIntervalSeconds: 0, publicUrl: PUBLIC_URL, ...extra.config },
  });
}

/** A Koa app's request listener, as supertest takes it. */
export type TestApp = ReturnType<Koa['callback']>;

/** `post(path, body, bearer?)` against the app, JSON body, optional bearer token. */
export function poster(app: TestApp) {
  return (path: string, body: unknown, bearer?: string) => {
    const req = request(app).post(path);
    if (bearer) req.set('authorization', bearer);
    return req.send(body as object);
  };
}

export { appFor } from '@w3kit/core/testing';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function createUser(kit: Kit, name = 'Hong') {
  const loginId = `user-${unique()}`;
  const account = await kit.services.accountService.createEndUser({ loginId, email: `${loginId}@example.com`, password: 'correct horse battery', name, phoneNumber: '+821012345678' });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { account, loginId, token, bearer: `Bearer ${token}` };
}

export async function createOrganization(kit: Kit) {
  const domain = `org-${unique()}.test`;
  const { account } = await kit.services.accountService.createOrganization({ name: 'Acme Corp', domain, email: `ops@${domain}` });
  const { token } = await kit.services.tokenService.issueAccessToken(account);
  return { account, token, bearer: `Bearer ${token}` };
}

/** A wallet's own secp256k1 key and did:ethr, as a did-jwt-vc issuer/holder. */
export function walletKey(): { did: string; issuer: Issuer; privateKey: string } {
  const key = new SigningKey(randomBytes(32));
  const did = `did:ethr:${computeAddress(key.publicKey).toLowerCase()}`;
  return { did, privateKey: key.privateKey, issuer: { did, alg: 'ES256K', signer: ES256KSigner(Buffer.from(key.privateKey.slice(2), 'hex')) } };
}

/** Base64url-decodes a JWT part. */
export const jwtPart = (jwt: string, i: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8')) as Json;

/** Re-encodes a JWT with a changed payload and the original signature (a forgery). */
export function withPayload(jwt: string, change: (payload: Json) => void): string {
  const [header, , signature] = jwt.split('.');
  const payload = jwtPart(jwt, 1);
  change(payload);
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
}

/** The JWT with one signature character changed. */
export function withBadSignature(jwt: string): string {
  const i = jwt.lastIndexOf('.') + 10;
  return `${jwt.slice(0, i)}${jwt[i] === 'A' ? 'B' : 'A'}${jwt.slice(i + 1)}`;
}

/**
 * What a wallet app does with did-jwt-vc: a JWT VP of the credentials, signed with its own key,
 * addressed to `aud`, with the login request's `nonce`. Returned in the Finenex document's JSON form.
 */
export async function walletPresentation(holder: Issuer, credentials: Json[], options: { aud?: string | string[]; nonce?: string; nbf?: number } = {}): Promise<Json> {
  const jwt = await createVerifiablePresentationJwt(
    {
      vp: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiablePresentation'],
        verifiableCredential: credentials.map((c) => (c['proof'] as { jwt?: string }).jwt ?? c),
      },
      ...(options.aud === undefined ? {} : { aud: options.aud }),
      ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      nbf: options.nbf ?? Math.floor(Date.now() / 1000),
    } as never,
    holder,
  );
  return normalizePresentation(jwt);
}

/**
 * A did:web-like issuer whose DID document lists whichever key is current, always under the same
 * verification method id `<issuer>#key-1`: a key rotation. Everything else comes from `fallback`.
 */
export function rotatingIssuer<K extends { publicKeyMultibase?: string }>(issuer: string, first: K, fallback: DocumentLoader) {
  const method = `${issuer}#key-1`;
  let current = first;
  const loader: DocumentLoader = async (url) => {
    const vm = { id: method, type: 'Multikey', controller: issuer, publicKeyMultibase: current.publicKeyMultibase };
    const context = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'];
    if (url === issuer) return { contextUrl: null, documentUrl: url, document: { '@context': context, id: issuer, verificationMethod: [vm], assertionMethod: [method] } };
    if (url === method) return { contextUrl: null, documentUrl: url, document: { '@context': context, ...vm } };
    return fallback(url);
  };
  return { method, loader, rotateTo: (key: K) => void (current = key) };
}
