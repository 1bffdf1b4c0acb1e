import { createHash } from 'node:crypto';
import { decodeJwt, Oauth2ResourceUnauthorizedError, SupportedAuthenticationScheme, type Jwk, type RequestLike } from '@openid4vc/oauth2';
import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { digest as sha, ES256, generateSalt } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { AccountService } from '@w3kit/auth';
import type { Clock, EnvelopeEncryption, Principal, RandomSource, RateLimiter, SdJwtVcIssuer } from '@w3kit/core';
import type { VerifiedOpAccessToken } from '@w3kit/oidc';
import type { CredentialService } from '@w3kit/did';
import { importJWK, SignJWT, type JWK } from 'jose';
import { didKeyOf } from './did-key.js';
import { oid4vciErrors } from './errors.js';
import type { IssuerKeys } from './issuer-keys.js';
import { CONFIGURATIONS, type IssuerMetadata } from './metadata.js';
import type { NonceStore } from './nonce-store.js';
import { libraryCall } from './offer-service.js';
import type { OfferStore } from './offer-store.js';
import type { ResolvedOid4vciOptions } from './oid4vci-config.js';
import type { Protocol } from './protocol.js';
import type { StatusEntryStore } from './status-entry-store.js';

export interface IssuanceService extends SdJwtVcIssuer {
  /** The nonce endpoint: a fresh c_nonce, stored (digest) until a proof uses it. */
  nonce(): Promise<{ c_nonce: string; c_nonce_expires_in: number }>;
  /** The credential endpoint: checks the access token and the proof, issues the offer's one credential. */
  credential(request: RequestLike, body: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The signed Token Status List token of a list. */
  statusListToken(listId: number): Promise<string>;
  /** `/.well-known/jwt-vc-issuer`: the issuer and its public keys. */
  jwtVcIssuerMetadata(): Promise<{ issuer: string; jwks: { keys: Jwk[] } }>;
  /** Revokes an SD-JWT VC: by the account it is about, or the organization that offered it. */
  revoke(principal: Principal, entry: { uri: string; idx: number }): Promise<{ uri: string; idx: number; revoked: true }>;
}

export interface IssuanceServiceDeps {
  options: ResolvedOid4vciOptions;
  metadata: IssuerMetadata;
  protocol: Protocol;
  keys: IssuerKeys;
  offers: OfferStore;
  nonces: NonceStore;
  entries: StatusEntryStore;
  accountService: AccountService;
  /** The did plugin's issuer (jwt_vc_json, ldp_vc), resolved only when such a credential is asked for. */
  credentialService: () => CredentialService;
  encryption: EnvelopeEncryption;
  random: RandomSource;
  rateLimiter: RateLimiter;
  clock: Clock;
  /** The OP's verification of its own JWT access tokens for this issuer, when @w3kit/oidc is composed. */
  verifyOpAccessToken?: ((token: string) => Promise<VerifiedOpAccessToken | undefined>) | undefined;
}

/** Who an access token lets receive what: the kit's own names its offer, the OP's its scopes. */
type AccessGrant = { accountId: string; offerId: string; scopes?: undefined } | { accountId: string; offerId?: undefined; scopes: string[] };

// claims the SD-JWT VC profile sets itself: never taken from my_info, never disclosable
const RESERVED = new Set(['iss', 'sub', 'iat', 'nbf', 'exp', 'cnf', 'vct', 'vct#integrity', 'status', '_sd', '_sd_alg', '...']);
const LIST_ID = 1;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function createIssuanceService(deps: IssuanceServiceDeps): IssuanceService {
  const { options, metadata, protocol, keys, offers, nonces, entries, accountService, encryption, random, rateLimiter, clock } = deps;
  const nonceDigest = (nonce: string) => encryption.digest('oid4vci.c-nonce', nonce);

  /** The OP's access token of the authorization code flow (`iss` = the OP), checked by the OP's keys; undefined for any other token. */
  async function opAccessTokenOf(request: RequestLike): Promise<AccessGrant | undefined> {
    const op = metadata.openIdProvider;
    const bearer = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!op || !deps.verifyOpAccessToken || !bearer) return undefined;
    let issuer: unknown;
    try {
      issuer = decodeJwt({ jwt: bearer }).payload.iss;
    } catch {
      return undefined;
    }
    if (issuer !== op.issuer) return undefined;
    const verified = await deps.verifyOpAccessToken(bearer);
    // signed by the OP for another resource, expired, or tampered with: as unknown as any other bad token
    if (!verified) throw oid4vciErrors.create('INVALID_TOKEN');
    return { accountId: verified.sub, scopes: verified.scopes };
  }

  /** The access token's claims, or 401 invalid_token. */
  async function accessTokenOf(request: RequestLike): Promise<AccessGrant> {
    const fromOp = await opAccessTokenOf(request);
    if (fromOp) return fromOp;
    try {
      const { tokenPayload } = await protocol.resourceServer.verifyResourceRequest({
        request,
        resourceServer: metadata.credentialIssuer,
        authorizationServers: [metadata.authorizationServer],
        allowedAuthenticationSchemes: [SupportedAuthenticationScheme.Bearer],
        now: clock.now(),
      });
      const offerId = tokenPayload['offer_id'];
      if (typeof offerId !== 'string' || typeof tokenPayload.sub !== 'string') throw oid4vciErrors.create('INVALID_TOKEN');
      return { accountId: tokenPayload.sub, offerId };
    } catch (error) {
      if (error instanceof Oauth2ResourceUnauthorizedError) throw oid4vciErrors.create('INVALID_TOKEN', { cause: error });
      throw error;
    }
  }

  /** The wallet's key from its one proof JWT: signature, `aud`, freshness of `iat`, and the nonce used up. */
  async function boundKey(jwt: string): Promise<Jwk> {
    const now = clock.now();
    let nonce: unknown;
    let iat: unknown;
    try {
      ({ nonce, iat } = decodeJwt({ jwt }).payload);
    } catch (error) {
      throw oid4vciErrors.create('INVALID_PROOF', { message: 'The proof is not a JWT.', cause: error });
    }
    if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 200)
      throw oid4vciErrors.create('INVALID_NONCE', { message: 'The proof carries no c_nonce; get one from the nonce endpoint.' });
    let verified;
    try {
      verified = await protocol.issuer.verifyCredentialRequestJwtProof({ issuerMetadata: metadata.result, jwt, expectedNonce: nonce, now });
    } catch (error) {
      const reason = error instanceof Error && /'aud'/.test(error.message) ? ' Its aud is not this credential issuer.' : ' Its signature does not verify with the key it names, or it is malformed.';
      throw oid4vciErrors.create('INVALID_PROOF', { message: `The proof JWT is not valid.${reason}`, cause: error });
    }
    // the library checks iat for nothing: a proof is fresh only around now
    if (typeof iat !== 'number' || Math.abs(seconds(now) - iat) > options.proofMaxAgeSeconds) {
      throw oid4vciErrors.create('INVALID_PROOF', { message: `The proof's iat is more than ${options.proofMaxAgeSeconds} s away from now.` });
    }
    if (!(await nonces.consume(nonceDigest(nonce), now))) throw oid4vciErrors.create('INVALID_NONCE');
    const jwk = verified.signer.publicJwk;
    if (!jwk || 'd' in jwk) throw oid4vciErrors.create('INVALID_PROOF', { message: 'The proof must name its public key in its header (jwk).' });
    return jwk;
  }

  /** my_info's claims of the account, without the ones the profile sets and without empty ones. */
  async function claimsOf(accountId: string): Promise<{ principal: Principal; claims: Record<string, unknown> }> {
    const account = await accountService.get(accountId);
    if (!account) throw oid4vciErrors.create('INVALID_TOKEN', { message: 'The account of the offer no longer exists.' });
    const principal: Principal = { accountId, accountType: account.accountType };
    const info = await accountService.myInfo(principal);
    const claims = Object.fromEntries(Object.entries(info).filter(([name, value]) => !RESERVED.has(name) && value !== null && value !== undefined && name !== 'id'));
    return { principal, claims };
  }

  /** `offerId` undefined: no offer (the authorization code flow); the record's own id stands in its unique column. */
  async function issueSdJwtVc(accountId: string, offerId: string | undefined, createdBy: string, holderJwk: Jwk): Promise<string> {
    const { claims } = await claimsOf(accountId);
    const now = clock.now();
    // a random index, so a list's positions say nothing about order or time of issuance
    let idx = -1;
    const id = random.uuid();
    for (let attempt = 0; idx < 0; attempt++) {
      const candidate = random.bytes(4).readUInt32BE(0) % options.statusListSize;
      const reserved = await entries.insert({ id, accountId, offerId: offerId ?? id, createdBy, listId: LIST_ID, idx: candidate, issuedAt: now });
      if (reserved.reserved) idx = candidate;
      else if (attempt >= 16) throw new Error('oid4vci: the status list has no free entry found in 16 draws');
    }
    try {
      const key = await keys.signingKey();
      const sdJwtVc = new SDJwtVcInstance({ signer: await ES256.getSigner(key.privateJwk), signAlg: 'ES256', hasher: sha, hashAlg: 'sha-256', saltGenerator: generateSalt });
      const { d: _private, ...publicHolderJwk } = holderJwk as Jwk & { d?: string };
      return await sdJwtVc.issue(
        {
          iss: metadata.credentialIssuer,
          sub: accountId,
          iat: seconds(now),
          ...(options.credentialTtlSeconds > 0 ? { exp: seconds(now) + options.credentialTtlSeconds } : {}),
          vct: metadata.vct,
          cnf: { jwk: publicHolderJwk },
          status: { status_list: { idx, uri: metadata.statusListUri(LIST_ID) } },
          ...claims,
        },
        { _sd: Object.keys(claims) } as never,
        { header: { kid: key.kid, typ: 'dc+sd-jwt' } },
      );
    } catch (error) {
      await entries.remove(id);
      throw error;
    }
  }

  async function issueDidCredential(accountId: string, configurationId: string, holderJwk: Jwk): Promise<string | Record<string, unknown>> {
    const holder = didKeyOf(holderJwk);
    if (!holder) throw oid4vciErrors.create('INVALID_PROOF', { message: 'jwt_vc_json and ldp_vc bind a P-256 or Ed25519 key (as its did:key).' });
    const { principal, claims } = await claimsOf(accountId);
    // the did plugin's create-vc sets id and sub itself (claimsOf leaves them out)
    const format = configurationId === CONFIGURATIONS.jwtVcJson ? 'jwt' : 'eddsa-rdfc-2022';
    const signed = await deps.credentialService().createVc(principal, { holder, userInfo: claims, format });
    if (configurationId === CONFIGURATIONS.jwtVcJson) return (signed['proof'] as { jwt: string }).jwt;
    return signed;
  }

  async function statusEntry(entry: { uri: string; idx: number }) {
    const prefix = metadata.statusListUri(LIST_ID);
    if (entry.uri !== prefix || !Number.isInteger(entry.idx) || entry.idx < 0) return undefined;
    return entries.find(LIST_ID, entry.idx);
  }

  /** The status list token last signed here (one list), see `statusListToken`. */
  let signedList: { fingerprint: string; token: string; signedAt: number } | null = null;

  return {
    issuer: metadata.credentialIssuer,

    async issuerKey(kid) {
      const key = await keys.publicKey(kid);
      return key && { kty: key.kty, crv: key.crv, x: key.x, y: key.y, kid: key.kid, alg: key.alg };
    },

    async accountIdForSubject(sub) {
      return (await accountService.get(sub)) ? sub : undefined;
    },

    async statusOf(entry) {
      const found = await statusEntry(entry);
      if (!found) return undefined;
      return found.revokedAt ? 'invalid' : 'valid';
    },

    async nonce() {
      const nonce = random.token(32);
      await nonces.insert(nonceDigest(nonce), new Date(clock.now().getTime() + options.nonceTtlSeconds * 1000));
      return protocol.issuer.createNonceResponse({ cNonce: nonce, cNonceExpiresIn: options.nonceTtlSeconds }) as { c_nonce: string; c_nonce_expires_in: number };
    },

    async credential(request, body) {
      const token = await accessTokenOf(request);
      // bounded per account besides per IP: the token names the principal, only now known
      await rateLimiter.enforce('oid4vci.credential-account', token.accountId);
      const parsed = libraryCall(() => protocol.issuer.parseCredentialRequest({ issuerMetadata: metadata.result, credentialRequest: body }));
      const configurationId = parsed.credentialConfigurationId;
      if (!configurationId || !metadata.configurationIds.includes(configurationId)) throw oid4vciErrors.create('UNKNOWN_CREDENTIAL_CONFIGURATION');
      const proofs = parsed.proofs?.jwt ?? [];
      if (proofs.length !== 1) throw oid4vciErrors.create('INVALID_PROOF', { message: 'Send exactly one proof of type jwt.' });
      if (token.scopes && !token.scopes.includes(configurationId)) {
        throw oid4vciErrors.create('UNKNOWN_CREDENTIAL_CONFIGURATION', { message: 'The access token is for another credential configuration.' });
      }
      const holderJwk = await boundKey(proofs[0]!);
      if (token.offerId === undefined) {
        // the authorization code flow: the credential is for the account that signed in at the OP
        const credential =
          configurationId === CONFIGURATIONS.sdJwt ? await issueSdJwtVc(token.accountId, undefined, token.accountId, holderJwk) : await issueDidCredential(token.accountId, configurationId, holderJwk);
        return protocol.issuer.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential }] });
      }
      const offer = await offers.get(token.offerId);
      if (!offer || offer.accountId !== token.accountId) throw oid4vciErrors.create('INVALID_TOKEN');
      if (offer.credentialConfigurationId !== configurationId) throw oid4vciErrors.create('UNKNOWN_CREDENTIAL_CONFIGURATION', { message: 'The access token is for another credential configuration.' });
      // one credential per offer: of two concurrent requests with the same token one wins
      if (!(await offers.claimCredential(offer.id))) throw oid4vciErrors.create('CREDENTIAL_REQUEST_DENIED');
      let credential: string | Record<string, unknown>;
      try {
        credential =
          configurationId === CONFIGURATIONS.sdJwt ? await issueSdJwtVc(offer.accountId, offer.id, offer.createdBy, holderJwk) : await issueDidCredential(offer.accountId, configurationId, holderJwk);
      } catch (error) {
        await offers.releaseCredential(offer.id);
        throw error;
      }
      return protocol.issuer.createCredentialResponse({ credentialRequest: parsed, credentials: [{ credential }] });
    },

    async statusListToken(listId) {
      if (listId !== LIST_ID) throw oid4vciErrors.create('CREDENTIAL_NOT_FOUND', { message: 'No such status list.' });
      // The bits are read on every request, so a revocation on any instance shows in the next
      // fetch; the signature is not: this public endpoint reuses the token it signed while the
      // bits and the key are the same and the token is younger than half its ttl.
      const revoked = await entries.revokedIndexes(listId);
      const key = await keys.signingKey();
      const now = clock.now();
      const fingerprint = `${key.kid}:${createHash('sha256').update(revoked.join(',')).digest('base64url')}`;
      const reusable = signedList && signedList.fingerprint === fingerprint && now.getTime() - signedList.signedAt < (options.statusListTtlSeconds * 1000) / 2;
      if (reusable) return signedList!.token;
      const list = new StatusList(new Array<number>(options.statusListSize).fill(0), 1);
      for (const idx of revoked) list.setStatus(idx, 1);
      const { header, payload } = createHeaderAndPayload(
        list,
        { iss: metadata.credentialIssuer, sub: metadata.statusListUri(listId), iat: seconds(now), exp: seconds(now) + options.statusListTtlSeconds * 10, ttl: options.statusListTtlSeconds },
        { alg: 'ES256', typ: 'statuslist+jwt', kid: key.kid },
      );
      const token = await new SignJWT(payload).setProtectedHeader(header).sign(await importJWK(key.privateJwk as JWK, 'ES256'));
      signedList = { fingerprint, token, signedAt: now.getTime() };
      return token;
    },

    async jwtVcIssuerMetadata() {
      return { issuer: metadata.credentialIssuer, jwks: { keys: (await keys.publicKeys()) as Jwk[] } };
    },

    async revoke(principal, entry) {
      const found = await statusEntry(entry);
      if (!found) throw oid4vciErrors.create('CREDENTIAL_NOT_FOUND');
      if (principal.accountId !== found.accountId && principal.accountId !== found.createdBy) throw oid4vciErrors.create('OFFER_FORBIDDEN');
      await entries.revoke(found.listId, found.idx, clock.now());
      return { uri: entry.uri, idx: entry.idx, revoked: true as const };
    },
  };
}
