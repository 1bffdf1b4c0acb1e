import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTHeaderParameters } from 'jose';
import type { AccountType, Clock, EnvelopeEncryption, Logger, RandomSource } from '@w3kit/core';
import { authErrors } from './errors.js';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

/** The claims of a verified access token. */
export interface AccessTokenClaims {
  accountId: string;
  accountType: AccountType;
  expiresAt: Date;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface TokenService {
  issueAccessToken(account: { id: string; accountType: AccountType }): Promise<IssuedToken>;
  /** Throws INVALID_TOKEN (401) for anything but a valid, unexpired token signed by a known key. */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  /** The public keys that verify tokens (for /.well-known/jwks.json). */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Creates a signing key if there is none. */
  ensureSigningKey(): Promise<void>;
  /** A new key signs from now on; earlier keys keep verifying the tokens they signed. */
  rotateSigningKey(): Promise<{ kid: string }>;
  /** Stops a key from verifying; tokens it signed are rejected from then on. */
  retireSigningKey(kid: string): Promise<void>;
}

/** Only these algorithms are ever accepted: `none`, HS* and RS* tokens are refused outright. */
const ACCEPTED_ALGORITHMS = ['ES256', 'EdDSA'];
const AUDIENCE = 'w3kit';
/** How long this instance trusts its cached key list before looking for keys rotated elsewhere. */
const KEY_CACHE_MS = 30_000;
/** A kid found in no key is not looked up again for this long (bounds DB reads forced by forged kids). */
const MISS_CACHE_MS = 10_000;
const MAX_MISSES = 1000;

type JoseKey = Awaited<ReturnType<typeof importJWK>> | KeyObject;

interface CachedKey {
  record: SigningKeyRecord;
  publicKey: JoseKey;
  privateKey?: JoseKey;
}

export interface TokenServiceDeps {
  signingKeyStore: SigningKeyStore;
  encryption: EnvelopeEncryption;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  issuer: string;
  ttlSeconds: number;
  algorithm: 'ES256' | 'EdDSA';
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { signingKeyStore, encryption, clock, random } = deps;
  const context = (kid: string) => `auth.signing-key:${kid}`;
  let cache = new Map<string, CachedKey>();
  let loadedAt = -Infinity;
  let loading: Promise<void> | undefined;
  const misses = new Map<string, number>();

  async function load(): Promise<void> {
    const records = await signingKeyStore.listUnretired();
    const next = new Map<string, CachedKey>();
    for (const record of records) {
      const existing = cache.get(record.kid);
      // A node:crypto KeyObject, not a WebCrypto key: jose then verifies with node:crypto's
      // one-shot verify instead of a WebCrypto job, the largest cost of every authenticated request.
      next.set(record.kid, existing ? { ...existing, record } : { record, publicKey: createPublicKey({ key: JSON.parse(record.publicJwk) as JsonWebKey, format: 'jwk' }) });
    }
    cache = next;
    loadedAt = Date.now();
  }

  /** Reloads the key list, at most one load at a time. */
  function reload(): Promise<void> {
    loading ??= load().finally(() => (loading = undefined));
    return loading;
  }

  async function current(): Promise<CachedKey> {
    if (Date.now() - loadedAt > KEY_CACHE_MS) await reload();
    const signing = [...cache.values()].find((k) => k.record.rotatedAt === null) ?? [...cache.values()][0];
    if (!signing) throw new Error('no token signing key; ensureSigningKey() runs at startup');
    if (!signing.privateKey) {
      const jwk = JSON.parse(encryption.decrypt(signing.record.encryptedPrivateJwk, context(signing.record.kid)).toString('utf8')) as JWK;
      signing.privateKey = await importJWK(jwk, signing.record.alg);
    }
    return signing;
  }

  async function keyFor(header: JWTHeaderParameters): Promise<JoseKey> {
    const kid = header.kid;
    if (typeof kid !== 'string') throw authErrors.create('INVALID_TOKEN');
    let key = cache.get(kid);
    // A kid we do not know may be a key another instance just created: look once, then
    // remember the miss for a while so forged kids cannot make every request read the DB.
    if (!key && (misses.get(kid) ?? 0) < Date.now()) {
      await reload();
      key = cache.get(kid);
      if (!key) {
        if (misses.size >= MAX_MISSES) misses.delete(misses.keys().next().value!);
        misses.set(kid, Date.now() + MISS_CACHE_MS);
      }
    }
    if (!key || key.record.alg !== header.alg) throw authErrors.create('INVALID_TOKEN');
    return key.publicKey;
  }

  async function createKey(): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(deps.algorithm, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const record: SigningKeyRecord = {
      kid,
      alg: deps.algorithm,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg: deps.algorithm, use: 'sig' }),
      encryptedPrivateJwk: encryption.encrypt(JSON.stringify(await exportJWK(privateKey)), context(kid)),
      createdAt: clock.now(),
      rotatedAt: null,
      retiredAt: null,
    };
    await signingKeyStore.insert(record);
    return record;
  }

  return {
    async issueAccessToken(account) {
      const key = await current();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + deps.ttlSeconds * 1000);
      const token = await new SignJWT({ account_type: account.accountType })
        .setProtectedHeader({ alg: key.record.alg, kid: key.record.kid, typ: 'JWT' })
        .setIssuer(deps.issuer)
        .setAudience(AUDIENCE)
        .setSubject(account.id)
        .setJti(random.token(16))
        .setIssuedAt(Math.floor(now.getTime() / 1000))
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key.privateKey!);
      return { token, expiresAt };
    },

    async verifyAccessToken(token) {
      if (Date.now() - loadedAt > KEY_CACHE_MS) await reload();
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          algorithms: ACCEPTED_ALGORITHMS,
          issuer: deps.issuer,
          audience: AUDIENCE,
          currentDate: clock.now(),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const accountType = payload['account_type'];
        if (accountType !== 'end_user' && accountType !== 'organization') throw authErrors.create('INVALID_TOKEN');
        return { accountId: payload.sub!, accountType, expiresAt: new Date(payload.exp! * 1000) };
      } catch (error) {
        if ((error as { code?: string }).code === 'INVALID_TOKEN') throw error;
        throw authErrors.create('INVALID_TOKEN', { cause: error });
      }
    },

    async jwks() {
      await reload();
      return { keys: [...cache.values()].map((k) => JSON.parse(k.record.publicJwk) as JWK) };
    },

    async ensureSigningKey() {
      await reload();
      if (cache.size > 0) return;
      await createKey();
      await reload();
      deps.logger.info('created the first token signing key');
    },

    async rotateSigningKey() {
      const record = await createKey();
      await signingKeyStore.markRotated(record.kid, clock.now());
      await reload();
      return { kid: record.kid };
    },

    async retireSigningKey(kid) {
      await signingKeyStore.retire(kid, clock.now());
      await reload();
    },
  };
}
