import type { AccountDirectory, Clock, LoginResult, RandomSource } from '@w3kit/core';
import type { AppLoginRecord, AppLoginStore } from './app-login-store.js';
import type { CredentialStore } from './credential-store.js';
import { USER_URN_PREFIX } from './credential-service.js';
import type { ResolvedDidOptions } from './did-config.js';
import { didErrors } from './errors.js';
import type { KitKeyring } from './kit-keyring.js';
import type { PresentationService } from './presentation-service.js';
import { secretDigest, secretMatches } from './secret-digest.js';
import type { UsedPresentationStore } from './used-presentation-store.js';
import { libraryDetails, type CredentialVerification, type ProblemCode } from './verification.js';

export interface LoginRequest {
  /** The site's requestId with `requestId=<id>` appended: what the site shows as a QR code. */
  requestId: string;
  waitTime: number;
  /** Authorizes collecting or cancelling the result; shown once, only its hash is stored. */
  resultToken: string;
}

/** Why a VP logs no one in (the `reason` of a PRESENTATION_REJECTED error). */
export type RejectionReason = ProblemCode | 'HOLDER_NOT_SIGNER' | 'PRESENTATION_TOO_OLD' | 'PRESENTATION_REPLAYED' | 'NO_TRUSTED_CREDENTIAL' | 'ACCOUNT_NOT_FOUND';

/**
 * Login with a Verifiable Presentation, directly (the app's own login) or for a website that
 * waits for it (`auth-user-by-app`). Every piece of state is in the database: the app may post
 * to one instance while the site polls another.
 */
export interface AppLoginService {
  /** `auth-user-with-vp`: checks the VP against every rule, then logs its account in. */
  loginWithPresentation(vp: unknown, requestId?: string): Promise<LoginResult>;
  /** `auth-user-by-app`. */
  requestLogin(siteRequestId: string, waitTime?: number): Promise<LoginRequest>;
  /** `cancel-auth-user-by-app`. */
  cancel(requestId: string, resultToken?: string): Promise<void>;
  /** `auth-user-result-by-app`: 401 while waiting, 400 when gone, the login once. */
  collect(requestId: string, resultToken?: string): Promise<LoginResult>;
}

export interface AppLoginServiceDeps {
  appLoginStore: AppLoginStore;
  usedPresentationStore: UsedPresentationStore;
  credentialStore: CredentialStore;
  presentationService: PresentationService;
  keyring: KitKeyring;
  accountDirectory: AccountDirectory;
  clock: Clock;
  random: RandomSource;
  options: ResolvedDidOptions;
}

const ID = /^[A-Za-z0-9_-]{16,64}$/;

// clock skew allowed between the wallet and the server on `nbf`/`created`
const SKEW_MS = 300_000;

/**
 * The site URL a requestId names (all before `requestId=<id>`). Anyone may call auth-user-by-app
 * with any URL, so this is a claim, never a verified origin: show it to the wallet user as such.
 */
export function siteOfRequestId(requestId: string): string {
  return requestId.replace(/[?&]?requestId=[A-Za-z0-9_-]{16,64}$/, '');
}

/** The login id in the requestId: `…requestId=<id>` or the bare id. */
function loginIdOf(requestId: string): string | null {
  const match = /[?&]requestId=([A-Za-z0-9_-]{16,64})$/.exec(requestId);
  if (match) return match[1]!;
  return ID.test(requestId) ? requestId : null;
}

/** The account id a credential's `sub` names: the login id itself, or (VC 2.0) inside the kit's URN. */
function subjectUserId(credential: CredentialVerification): string | null {
  const subject = ([] as unknown[]).concat(credential.credential?.['credentialSubject'] ?? [])[0] as Record<string, unknown> | undefined;
  const sub = subject?.['sub'];
  if (typeof sub !== 'string' || sub.length === 0) return null;
  if (!sub.startsWith(USER_URN_PREFIX)) return sub;
  try {
    return decodeURIComponent(sub.slice(USER_URN_PREFIX.length));
  } catch {
    return null;
  }
}

export function createAppLoginService(deps: AppLoginServiceDeps): AppLoginService {
  const { appLoginStore, usedPresentationStore, credentialStore, presentationService, keyring, accountDirectory, clock, random, options } = deps;

  /** `cause`: what libraries said, for the request's log (core logs a client error's cause, never answers it). */
  function reject(reason: RejectionReason, message: string, cause?: unknown): never {
    throw didErrors.create('PRESENTATION_REJECTED', { message, details: { reason }, ...(cause === undefined ? {} : { cause }) });
  }

  /** The login the requestId names, in a state where it still matters; 400 otherwise. */
  async function pendingLogin(requestId: string): Promise<AppLoginRecord> {
    const id = loginIdOf(requestId);
    const login = id ? await appLoginStore.find(id) : null;
    if (!login) throw didErrors.create('LOGIN_REQUEST_NOT_FOUND');
    if (login.state === 'cancelled') throw didErrors.create('LOGIN_REQUEST_CANCELLED');
    if (login.state !== 'pending') throw didErrors.create('LOGIN_REQUEST_COMPLETED');
    if (login.expiresAt.getTime() <= clock.now().getTime()) throw didErrors.create('LOGIN_REQUEST_EXPIRED');
    return login;
  }

  async function authorized(requestId: string, resultToken: string | undefined): Promise<AppLoginRecord> {
    const id = loginIdOf(requestId);
    const login = id ? await appLoginStore.find(id) : null;
    if (!login) throw didErrors.create('LOGIN_REQUEST_NOT_FOUND');
    if (resultToken === undefined && options.requireAppLoginResultToken) throw didErrors.create('INVALID_RESULT_TOKEN', { message: 'resultToken is required.' });
    if (resultToken !== undefined && !secretMatches(resultToken, login.resultTokenHash)) throw didErrors.create('INVALID_RESULT_TOKEN');
    return login;
  }

  /** Why the login can no longer be collected, as the 400 the Finenex document asks for. */
  function gone(login: AppLoginRecord, at: Date): never {
    if (login.state === 'cancelled') throw didErrors.create('LOGIN_REQUEST_CANCELLED');
    if (login.state === 'collected') throw didErrors.create('LOGIN_RESULT_COLLECTED');
    if (login.state === 'pending' && login.expiresAt.getTime() > at.getTime()) throw didErrors.create('LOGIN_PENDING');
    throw didErrors.create('LOGIN_REQUEST_EXPIRED');
  }

  return {
    async loginWithPresentation(vp, requestId) {
      const login = requestId === undefined ? null : await pendingLogin(requestId);
      const verifier = keyring.verifiers()[0]!.did;
      const result = await presentationService.verify(vp, { audience: verifier, challenge: login?.requestId });
      if (!result.verified) {
        const first = result.problems[0]!;
        // a problem's message is the kit's words; what a library said goes to the log only
        const details = libraryDetails(result);
        const cause = details.length > 0 ? { problems: details } : undefined;
        if (first.code === 'AUDIENCE_MISMATCH') {
          throw didErrors.create('PRESENTATION_REJECTED', {
            message: `The presentation is not addressed to this server: address it (JWT aud, Data Integrity proof.domain) to ${verifier} (GET /v2/did/verifiers).`,
            details: { reason: first.code, expected_audience: verifier },
            ...(cause ? { cause } : {}),
          });
        }
        reject(first.code, `The presentation does not verify: ${first.message}`, cause);
      }
      // The JWT's issuer is its holder by construction; every Data Integrity proof was checked against the holder's authentication keys.
      if (!result.holder) reject('HOLDER_NOT_SIGNER', 'The presentation names no holder.');
      const now = clock.now();
      const maxAgeMs = options.presentationMaxAgeSeconds * 1000;
      const { signedAt, replayKeys } = result;
      // Freshness. A website login's VP carries the live one-time requestId as its challenge: it
      // was made after the login began and can complete only that login, so it needs no date
      // (did-jwt-vc adds none by default). An app login has no challenge of the server's: only
      // a date keeps a VP that leaked from logging in forever, so it must have one.
      if (replayKeys.length === 0 || (!signedAt && !login))
        reject('PRESENTATION_TOO_OLD', 'The presentation must say when it was made (JWT nbf or iat, proof.created), or carry a website login’s requestId as its challenge.');
      if (signedAt && now.getTime() - signedAt.getTime() > maxAgeMs) reject('PRESENTATION_TOO_OLD', `The presentation is older than ${options.presentationMaxAgeSeconds} seconds; make a new one.`);
      if (signedAt && signedAt.getTime() - now.getTime() > SKEW_MS) reject('NOT_YET_VALID', 'The presentation is dated in the future.');

      let accountId: string | null = null;
      for (const credential of result.credentials) {
        if (!credential.issuer || !keyring.issuer(credential.issuer) || credential.subject !== result.holder || !credential.id) continue;
        const record = await credentialStore.find(credential.id);
        if (!record?.subjectAccountId || record.issuerDid !== credential.issuer || record.revokedAt) continue;
        const userId = subjectUserId(credential);
        const account = userId ? ((await accountDirectory.findByLoginId(userId)) ?? (await accountDirectory.get(userId))) : null;
        if (!account) reject('ACCOUNT_NOT_FOUND', 'The credential’s sub names no account of this server.');
        if (account.id !== record.subjectAccountId) continue;
        accountId = account.id;
        break;
      }
      if (!accountId) {
        reject('NO_TRUSTED_CREDENTIAL', `The presentation holds no credential that this server issued to its holder (${result.holder}) for an account: create one with POST /v2/did/create-vc.`);
      }
      // One VP, one login: each of its proofs is remembered until the VP is too old to log in
      // anyway, so neither a re-encoded copy nor a part of its proof set logs in again.
      // (an undated one is bound to its login, which is over by then)
      const fresh = await usedPresentationStore.markUsed([...new Set(replayKeys)], new Date((signedAt ?? now).getTime() + maxAgeMs + SKEW_MS));
      if (!fresh) reject('PRESENTATION_REPLAYED', 'This presentation was already used to log in; make a new one.');
      if (login && !(await appLoginStore.complete(login.id, accountId, now, new Date(now.getTime() + options.appLoginResultTtlSeconds * 1000)))) {
        await pendingLogin(login.requestId); // raises the 400 of what happened meanwhile
        throw didErrors.create('LOGIN_REQUEST_COMPLETED');
      }
      return accountDirectory.login(accountId);
    },

    async requestLogin(siteRequestId, waitTime = options.appLoginDefaultWaitSeconds) {
      const now = clock.now();
      const id = random.token(18);
      const resultToken = random.token(24);
      const separator = /[?&]$/.test(siteRequestId) ? '' : siteRequestId.includes('?') ? '&' : '?';
      const requestId = `${siteRequestId}${separator}requestId=${id}`;
      await appLoginStore.insert({
        id,
        requestId,
        resultTokenHash: secretDigest(resultToken),
        state: 'pending',
        accountId: null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + waitTime * 1000),
        completedAt: null,
        resultExpiresAt: null,
        collectedAt: null,
      });
      return { requestId, waitTime, resultToken };
    },

    async cancel(requestId, resultToken) {
      const login = await authorized(requestId, resultToken);
      if (await appLoginStore.cancel(login.id, clock.now())) return;
      const fresh = (await appLoginStore.find(login.id))!;
      if (fresh.state === 'completed') throw didErrors.create('LOGIN_REQUEST_COMPLETED');
      gone(fresh, clock.now());
    },

    async collect(requestId, resultToken) {
      const login = await authorized(requestId, resultToken);
      const at = clock.now();
      if (await appLoginStore.collect(login.id, at)) return accountDirectory.login(login.accountId ?? (await appLoginStore.find(login.id))!.accountId!);
      gone((await appLoginStore.find(login.id))!, at);
    },
  };
}
