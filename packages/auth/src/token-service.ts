import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AccountType, Clock, EnvelopeEncryption, Logger, RandomSource } from '@w3kit/core';
import { checkClaims, signCompactJws, verifyCompactJws, type CompactJwsHeader } from './compact-jws.js';
import { isLowS, toLowS } from './es256-low-s.js';
import { authErrors } from './errors.js';
import type { SessionRecord, SessionState, SessionStore } from './session-store.js';
import type { SigningKeyRecord, SigningKeyStore } from './signing-key-store.js';

/** The claims of a verified access token. */
export interface AccessTokenClaims {
  accountId: string;
  accountType: AccountType;
  /** The session the token belongs to (`sid`). */
  sessionId: string;
  expiresAt: Date;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  sessionId: string;
}

export interface TokenService {
  /**
   * Opens a new session for the account (a sign-in) and issues its first token. `apiKeyId`:
   * the API key secret it was exchanged for; the session ends when that key is revoked.
   */
  issueAccessToken(account: { id: string; accountType: AccountType }, options?: { apiKeyId?: string }): Promise<IssuedToken>;
  /**
   * A fresh token of the same session as a valid one (Finenex "extend"): it lives the normal
   * TTL but never past the session's absolute end. 401 INVALID_TOKEN like `verifyAccessToken`.
   */
  extendAccessToken(token: string): Promise<IssuedToken & { accountId: string }>;
  /**
   * Throws INVALID_TOKEN (401) for anything but a valid, unexpired, low-S token signed by a
   * known key whose session is live (not revoked, not past its end, its API key not revoked).
   */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  /** Ends a session on every instance at once; true when this call ended it. */
  revokeSession(sessionId: string): Promise<boolean>;
  /**
   * Ends every session of the account but `exceptSessionId`, then tells every listener of
   * `onAccountSessionsEnded`; returns how many of auth's own sessions ended.
   */
  revokeAccountSessions(accountId: string, options?: { exceptSessionId?: string }): Promise<number>;
  /**
   * Another plugin that keeps sign-ins of its own for an account (the OpenID provider's sessions,
   * grants and tokens) ends them here too, so none outlives a password change. Listeners run in
   * order after auth's sessions ended; one that throws fails the call (the caller may repeat it).
   */
  onAccountSessionsEnded(listener: (accountId: string) => Promise<unknown>): void;
  /** Deletes sessions that have ended (housekeeping). */
  purgeEndedSessions(): Promise<number>;
  /** The public keys that verify tokens (for /.well-known/jwks.json). */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Creates a signing key if there is none. */
  ensureSigningKey(): Promise<void>;
  /** A new key signs from now on; earlier keys keep verifying the tokens they signed. */
  rotateSigningKey(): Promise<{ kid: string }>;
  /**
   * Stops a rotated key from verifying: tokens it signed are refused from then on (on other
   * instances within KEY_CACHE_MS). TypeError for an unknown or retired kid, and for the key
   * that signs now (rotate first).
   */
  retireSigningKey(kid: string): Promise<void>;
}

const AUDIENCE = 'w3kit';
/**
 * How long this instance trusts its cached key list before looking for keys rotated or retired
 * elsewhere: a retirement reaches every instance within this bound.
 */
export const KEY_CACHE_MS = 5_000;
/** A kid found in no key is not looked up again for this long (bounds DB reads forced by forged kids). */
const MISS_CACHE_MS = 10_000;
const MAX_MISSES = 1000;

interface CachedKey {
  record: SigningKeyRecord;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

export interface TokenServiceDeps {
  signingKeyStore: SigningKeyStore;
  sessionStore: SessionStore;
  encryption: EnvelopeEncryption;
  clock: Clock;
  random: RandomSource;
  logger: Logger;
  issuer: string;
  ttlSeconds: number;
  /** The absolute lifetime of a session from its sign-in. */
  sessionLifetimeSeconds: number;
  algorithm: 'ES256' | 'EdDSA';
}

export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { signingKeyStore, sessionStore, encryption, clock, random } = deps;
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
      // A node:crypto KeyObject, imported once: verifyCompactJws verifies with it in one call.
      next.set(record.kid, existing ? { ...existing, record } : { record, publicKey: createPublicKey({ key: JSON.parse(record.publicJwk) as JsonWebKey, format: 'jwk' }) });
    }
    cache = next;
    loadedAt = clock.now().getTime(); // the kit's clock, so a test can step past the cache
  }

  /** The key list is older than KEY_CACHE_MS (or the clock was set back past its load). */
  function stale(): boolean {
    const age = clock.now().getTime() - loadedAt;
    return age > KEY_CACHE_MS || age < 0;
  }

  /** Reloads the key list, at most one load at a time. */
  function reload(): Promise<void> {
    loading ??= load().finally(() => (loading = undefined));
    return loading;
  }

  async function current(): Promise<CachedKey> {
    if (stale()) await reload();
    const signing = [...cache.values()].find((k) => k.record.rotatedAt === null) ?? [...cache.values()][0];
    if (!signing) throw new Error('no token signing key; ensureSigningKey() runs at startup');
    if (!signing.privateKey) {
      const jwk = JSON.parse(encryption.decrypt(signing.record.encryptedPrivateJwk, context(signing.record.kid)).toString('utf8')) as JWK;
      signing.privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    }
    return signing;
  }

  async function keyFor(header: CompactJwsHeader, signature: string): Promise<KeyObject> {
    const kid = header.kid;
    if (typeof kid !== 'string') throw authErrors.create('INVALID_TOKEN');
    // n − s would verify too: only the low-S form the kit issues is its token (es256-low-s.ts).
    if (header.alg === 'ES256' && !isLowS(signature)) throw authErrors.create('INVALID_TOKEN');
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

  /** Signs a token of the session: the normal TTL, cut at the session's absolute end. */
  async function sign(account: { id: string; accountType: AccountType }, session: SessionRecord): Promise<IssuedToken> {
    const key = await current();
    const now = clock.now();
    const expiresAt = new Date(Math.min(now.getTime() + deps.ttlSeconds * 1000, session.expiresAt.getTime()));
    const alg = key.record.alg as 'ES256' | 'EdDSA';
    const token = await signCompactJws(
      { alg, kid: key.record.kid, typ: 'JWT' },
      {
        account_type: account.accountType,
        sid: session.id,
        iss: deps.issuer,
        aud: AUDIENCE,
        sub: account.id,
        jti: random.token(16),
        iat: Math.floor(now.getTime() / 1000),
        exp: Math.floor(expiresAt.getTime() / 1000),
      },
      key.privateKey!,
    );
    if (key.record.alg !== 'ES256') return { token, expiresAt, sessionId: session.id };
    const dot = token.lastIndexOf('.');
    return { token: `${token.slice(0, dot + 1)}${toLowS(token.slice(dot + 1))}`, expiresAt, sessionId: session.id };
  }

  /** The claims of a token with a good signature, before its session is looked at. */
  async function verifySignature(token: string): Promise<AccessTokenClaims> {
    if (stale()) await reload();
    try {
      const payload = await verifyCompactJws(token, keyFor);
      checkClaims(payload, { issuer: deps.issuer, audience: AUDIENCE, now: clock.now(), required: ['sub', 'exp', 'iat', 'sid'] });
      const accountType = payload['account_type'];
      const sessionId = payload['sid'];
      // A token without a session (issued before sessions existed) could never be revoked: refused.
      if ((accountType !== 'end_user' && accountType !== 'organization') || typeof sessionId !== 'string') throw authErrors.create('INVALID_TOKEN');
      return { accountId: payload['sub'] as string, accountType, sessionId, expiresAt: new Date((payload['exp'] as number) * 1000) };
    } catch (error) {
      if ((error as { code?: string }).code === 'INVALID_TOKEN') throw error;
      throw authErrors.create('INVALID_TOKEN', { cause: error });
    }
  }

  /** The token's session if it is live: read from the database on every call, so a revocation on any instance counts at once. */
  async function liveSession(claims: AccessTokenClaims): Promise<SessionState> {
    const session = await sessionStore.find(claims.sessionId);
    const live = session !== null && session.accountId === claims.accountId && session.revokedAt === null && !session.apiKeyRevoked && session.expiresAt > clock.now();
    if (!live) throw authErrors.create('INVALID_TOKEN');
    return session;
  }

  const sessionsEndedListeners: ((accountId: string) => Promise<unknown>)[] = [];

  return {
    async issueAccessToken(account, options = {}) {
      const now = clock.now();
      const session: SessionRecord = {
        id: random.uuid(),
        accountId: account.id,
        apiKeyId: options.apiKeyId ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + deps.sessionLifetimeSeconds * 1000),
        revokedAt: null,
      };
      await sessionStore.insert(session);
      return sign(account, session);
    },

    async extendAccessToken(token) {
      const claims = await verifySignature(token);
      const session = await liveSession(claims);
      return { ...(await sign({ id: claims.accountId, accountType: claims.accountType }, session)), accountId: claims.accountId };
    },

    async verifyAccessToken(token) {
      const claims = await verifySignature(token);
      await liveSession(claims);
      return claims;
    },

    revokeSession: (sessionId) => sessionStore.revoke(sessionId, clock.now()),
    async revokeAccountSessions(accountId, options = {}) {
      const ended = await sessionStore.revokeAccount(accountId, clock.now(), options.exceptSessionId);
      for (const listener of sessionsEndedListeners) await listener(accountId);
      return ended;
    },
    onAccountSessionsEnded: (listener) => void sessionsEndedListeners.push(listener),
    purgeEndedSessions: () => sessionStore.purgeExpired(clock.now()),

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
      const retired = await signingKeyStore.retire(kid, clock.now());
      await reload();
      if (retired) return;
      if (cache.get(kid)?.record.rotatedAt === null) throw new TypeError(`key ${kid} signs new tokens: rotate first (w3kit keys rotate), then retire it`);
      throw new TypeError(`no unretired signing key has kid ${kid}`);
    },
  };
}
