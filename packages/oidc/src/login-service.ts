import { isKitError, type AwilixContainer, type Clock, type EnvelopeEncryption, type KitServices, type LoginResult, type RateLimiter, type SiweVerifier } from '@w3kit/core';
import { oidcErrors } from './errors.js';
import type { OidcPayloadStore } from './payload-store.js';

/** What the did plugin registers as `appLoginService` (the part of it this plugin calls). */
export interface AppLoginPort {
  requestLogin(siteRequestId: string, waitTime?: number): Promise<{ requestId: string; waitTime: number; resultToken: string }>;
  collect(requestId: string, resultToken?: string): Promise<LoginResult>;
}

/** A wallet (VP) login under way for an interaction. */
export interface PendingVpLogin {
  requestId: string;
  expiresAt: Date;
}

export type VpLoginState = { state: 'waiting'; pending: PendingVpLogin } | { state: 'done'; accountId: string } | { state: 'failed'; message: string };

/**
 * The three ways to sign in at the OP, each through the plugin that owns it: passwords through
 * auth's account service, Sign-In with Ethereum through the siwe plugin's `siweVerifier`, and
 * the wallet VP login through the did plugin's website login (`appLoginService`). Whatever the
 * way, the answer is an end user's account id; organizations do not sign in at the OP.
 */
export interface OidcLoginService {
  withPassword(login: string, password: string, clientIp: string): Promise<string>;
  siweAvailable(): boolean;
  /** A one-time nonce for the page's EIP-4361 message (and the statement the siwe plugin requires, if any). */
  siweNonce(): Promise<{ nonce: string; statement?: string }>;
  withSiwe(message: string, signature: string, clientIp: string): Promise<string>;
  vpLoginAvailable(): boolean;
  /** Opens the did plugin's website login for the interaction; the wallet app completes it. */
  startVpLogin(interactionUid: string, clientIp: string): Promise<PendingVpLogin>;
  pendingVpLogin(interactionUid: string): Promise<PendingVpLogin | null>;
  /** Collects the wallet's login when it arrived (once), or says it is still waiting or failed. */
  collectVpLogin(interactionUid: string): Promise<VpLoginState>;
}

export interface OidcLoginServiceDeps {
  container: AwilixContainer<KitServices>;
  store: OidcPayloadStore;
  encryption: EnvelopeEncryption;
  rateLimiter: RateLimiter;
  clock: Clock;
  /** The OP's issuer: the site the wallet app is told asks for the login. */
  issuer: string;
  /** Longest wait for the wallet app, seconds (the interaction's lifetime). */
  maxWaitSeconds: number;
}

const VP_LOGIN_MODEL = 'W3kitVpLogin';
const sealContext = (uid: string) => `oidc.vp-login:${uid}`;

export function createOidcLoginService(deps: OidcLoginServiceDeps): OidcLoginService {
  const { container, store, encryption, rateLimiter, clock, issuer, maxWaitSeconds } = deps;
  const accounts = () => container.cradle.accountService;
  const tokens = () => container.cradle.tokenService;
  const appLogins = () => (container.cradle as unknown as { appLoginService: AppLoginPort }).appLoginService;
  const siwe = (): SiweVerifier => container.cradle.siweVerifier;

  async function endUser(accountId: string): Promise<string> {
    const account = await container.cradle.accountDirectory.get(accountId);
    // Answered like wrong credentials: the page tells no one which accounts are organizations.
    if (!account || account.accountType !== 'end_user') throw oidcErrors.create('END_USER_ONLY');
    return account.id;
  }

  /** The account a kit login result names; the kit session it opened is ended (the OP keeps its own). */
  async function accountOfLogin(result: LoginResult): Promise<string> {
    const claims = await tokens().verifyAccessToken(result.token);
    await tokens().revokeSession(claims.sessionId);
    return endUser(claims.accountId);
  }

  return {
    async withPassword(login, password, clientIp) {
      // Per IP here; auth bounds the tries per login id (auth.login) before any hash is computed.
      await rateLimiter.enforce('oidc.login', clientIp);
      const account = await accounts().verifyPassword(login, password, clientIp);
      return endUser(account.id);
    },

    siweAvailable: () => container.hasRegistration('siweVerifier'),
    async siweNonce() {
      const { nonce, statement } = await siwe().issueNonce();
      return statement === undefined ? { nonce } : { nonce, statement };
    },
    async withSiwe(message, signature, clientIp) {
      if (!container.hasRegistration('siweVerifier')) throw oidcErrors.create('LOGIN_METHOD_UNAVAILABLE');
      await rateLimiter.enforce('oidc.login', clientIp);
      const verified = await siwe().verifySignIn({ message, signature });
      return endUser(verified.accountId);
    },

    vpLoginAvailable: () => container.hasRegistration('appLoginService'),
    async startVpLogin(uid, clientIp) {
      if (!container.hasRegistration('appLoginService')) throw oidcErrors.create('LOGIN_METHOD_UNAVAILABLE');
      await rateLimiter.enforce('oidc.login', clientIp);
      const request = await appLogins().requestLogin(`${issuer}?`, maxWaitSeconds);
      const expiresAt = new Date(clock.now().getTime() + request.waitTime * 1000);
      const sealed = encryption.encrypt(request.resultToken, sealContext(uid));
      await store.upsert(VP_LOGIN_MODEL, uid, { requestId: request.requestId, resultToken: sealed }, expiresAt);
      return { requestId: request.requestId, expiresAt };
    },
    async pendingVpLogin(uid) {
      const found = await store.find(VP_LOGIN_MODEL, uid, clock.now());
      return found ? { requestId: String(found.payload['requestId']), expiresAt: found.expiresAt! } : null;
    },
    async collectVpLogin(uid) {
      const found = await store.find(VP_LOGIN_MODEL, uid, clock.now());
      if (!found) return { state: 'failed', message: 'The wallet login has expired; start it again.' };
      const requestId = String(found.payload['requestId']);
      const resultToken = encryption.decrypt(String(found.payload['resultToken']), sealContext(uid)).toString('utf8');
      try {
        const result = await appLogins().collect(requestId, resultToken);
        await store.destroy(VP_LOGIN_MODEL, uid);
        return { state: 'done', accountId: await accountOfLogin(result) };
      } catch (error) {
        if (isKitError(error) && error.code === 'LOGIN_PENDING') return { state: 'waiting', pending: { requestId, expiresAt: found.expiresAt! } };
        if (!isKitError(error) || !error.expose) throw error;
        await store.destroy(VP_LOGIN_MODEL, uid);
        return { state: 'failed', message: error.code === 'END_USER_ONLY' ? error.message : 'The wallet login did not complete; start it again.' };
      }
    },
  };
}
