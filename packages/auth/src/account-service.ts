import {
  normalizeIdentifier,
  requireIdentifier,
  type AccountDirectory,
  type AccountSummary,
  type Clock,
  type EmailSender,
  type LoginResult,
  type Logger,
  type Principal,
  type RandomSource,
  type RateLimiter,
  type SecretHasher,
} from '@w3kit/core';
import type { AccountRecord, AccountStore, AssociationVia } from './account-store.js';
import type { ApiKeyService } from './api-key-service.js';
import { importNoticeEmail } from './email-messages.js';
import { authErrors } from './errors.js';
import type { TokenService } from './token-service.js';
import type { WalletService } from './wallet-service.js';

export interface NewOrganization {
  name: string;
  /** The domain the organization will verify (and redirect URLs must be on). */
  domain: string;
  email: string;
  password?: string;
}

export interface NewEndUser {
  /** Finenex login id; defaults to none (login by email). */
  loginId?: string;
  email?: string;
  /** The password, hashed here; or `passwordHash`, one `secretHasher` made earlier (a sign-up kept until its email was verified). */
  password?: string;
  passwordHash?: string;
  /** True only when the owner of `email` has just proved it (a verification code). Default false. */
  emailVerified?: boolean;
  name?: string;
  phoneNumber?: string;
  role?: string;
}

/** The Web3Connect document's `GET /account/my_info` result. */
export type MyInfo = Record<string, unknown>;

/** One entry of `GET /account/associations`: an organization the end user is associated with, and how. */
export interface AssociationView {
  organization_id: string;
  name: string | null;
  domain: string | null;
  domain_verified: boolean;
  /** `association_page`: the end user confirmed on the association page; `import`: the organization imported their email. */
  via: AssociationVia;
  associated_at: string;
}

/**
 * The rules of accounts: creation (with an ID wallet), password login, sessions, the views the
 * seeds document, and end-user import. Authorization is checked here, not in the routes.
 */
export interface AccountService extends AccountDirectory {
  createOrganization(input: NewOrganization): Promise<{ account: AccountRecord; apiKeySecret: string }>;
  createEndUser(input: NewEndUser): Promise<AccountRecord>;
  /**
   * The account whose login id (or email) and password these are. The login is normalized
   * (`normalizeIdentifier`; 400 when it cannot be); tries are bounded per client IP and per
   * account (per normalized login when it names none); equal work and the same 401
   * INVALID_CREDENTIALS for an unknown login and a wrong password; 503 when too many hashes wait.
   */
  verifyPassword(login: string, password: string, clientIp: string): Promise<AccountRecord>;
  /** Finenex login with id (or email) and password, by `verifyPassword`. */
  loginWithPassword(id: string, password: string, clientIp: string): Promise<LoginResult>;
  /**
   * A new token of the same session as a still-valid one, up to the session's absolute end
   * (`sessionLifetimeSeconds` from the sign-in); 401 INVALID_TOKEN otherwise.
   */
  extendSession(token: string): Promise<LoginResult>;
  /** Ends the session of the request's token, on every instance at once. */
  logout(principal: Principal): Promise<void>;
  /**
   * Sets a new password (at least 8 characters) and ends every session of the account but
   * `keepSessionId` (the caller's own, when the user changes it while signed in). Returns how
   * many sessions ended.
   */
  changePassword(accountId: string, newPassword: string, options?: { keepSessionId?: string }): Promise<{ sessionsRevoked: number }>;
  /** API key secret → access token (Web3Connect refresh). */
  accessTokenForApiKey(secret: string): Promise<string>;
  myInfo(principal: Principal): Promise<MyInfo>;
  publicInfo(address: string): Promise<{ id_wallet_address: string; id_wallet_public_key_jwk: NonNullable<AccountSummary['walletPublicKeyJwk']> }>;
  /**
   * An organization imports an end user by a verified email: 403 ORGANIZATION_ONLY, 429 past
   * `auth.import`, 404 ACCOUNT_NOT_FOUND alike for an unknown and an unverified email.
   */
  importEndUser(principal: Principal, email: string): Promise<{ email: string; id_wallet_address: string }>;
  /** The organizations the end user is associated with and how (page or import); 403 END_USER_ONLY for an organization. */
  associations(principal: Principal): Promise<AssociationView[]>;
  /** The account, or 404 ACCOUNT_NOT_FOUND. */
  require(accountId: string): Promise<AccountRecord>;
  /** Gives the account an ID wallet if it has none; returns the account with its wallet. */
  ensureWallet(account: AccountRecord): Promise<AccountRecord & { wallet: NonNullable<AccountRecord['wallet']> }>;
}

export interface AccountServiceDeps {
  accountStore: AccountStore;
  apiKeyService: ApiKeyService;
  tokenService: TokenService;
  walletService: WalletService;
  secretHasher: SecretHasher;
  rateLimiter: RateLimiter;
  emailSender: EmailSender;
  logger: Logger;
  clock: Clock;
  random: RandomSource;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function createAccountService(deps: AccountServiceDeps): AccountService {
  const { accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, emailSender, logger, clock, random } = deps;

  const summary = (a: AccountRecord): AccountSummary => ({
    id: a.id,
    accountType: a.accountType,
    loginId: a.loginId,
    name: a.name,
    email: a.email,
    phoneNumber: a.phoneNumber,
    imageUrl: a.imageUrl,
    domain: a.domain,
    domainVerified: a.domainVerified,
    walletAddress: a.wallet?.address ?? null,
    walletPublicKeyJwk: a.wallet ? walletService.publicKeyJwk(a.wallet) : null,
  });

  const loginResult = (a: AccountRecord, token: string): LoginResult => ({
    token,
    userId: a.loginId ?? a.email ?? a.id,
    name: a.name,
    telNo: a.phoneNumber,
    email: a.email,
    imageUrl: a.imageUrl,
  });

  /** The account a normalized login names: its login id, or else its email when it looks like one. */
  const findByLogin = async (login: string) => (await accountStore.findByLoginId(login)) ?? (login.includes('@') ? await accountStore.findByEmail(login) : null);

  const require = async (accountId: string) => {
    const account = await accountStore.findById(accountId);
    if (!account) throw authErrors.create('ACCOUNT_NOT_FOUND');
    return account;
  };

  async function ensureWallet(account: AccountRecord) {
    if (account.wallet) return account as AccountRecord & { wallet: NonNullable<AccountRecord['wallet']> };
    await accountStore.setWalletIfMissing(account.id, walletService.generate(), clock.now());
    const fresh = await require(account.id); // another request may have set it first: use the stored one
    return fresh as AccountRecord & { wallet: NonNullable<AccountRecord['wallet']> };
  }

  const newAccount = (fields: Partial<AccountRecord> & Pick<AccountRecord, 'accountType'>): AccountRecord => {
    const now = clock.now();
    return {
      id: random.uuid(),
      role: null,
      loginId: null,
      email: null,
      emailVerified: false,
      passwordHash: null,
      name: null,
      phoneNumber: null,
      phoneVerified: false,
      imageUrl: null,
      claims: {},
      domain: null,
      domainVerified: false,
      domainTxtToken: null,
      wallet: walletService.generate(),
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
  };

  const withWallet = async (accountId: string) => {
    const account = await ensureWallet(await require(accountId));
    return account.wallet;
  };

  return {
    require,
    ensureWallet,

    async createOrganization(input) {
      const domain = input.domain.trim().toLowerCase();
      if (!DOMAIN.test(domain)) throw new TypeError(`"${input.domain}" is not a domain name (e.g. company.com)`);
      const account = newAccount({
        accountType: 'organization',
        name: input.name,
        email: requireIdentifier(input.email, 'email'),
        passwordHash: input.password ? await secretHasher.hash(input.password) : null,
        domain,
      });
      await accountStore.insert(account);
      return { account, apiKeySecret: await apiKeyService.issue(account.id) };
    },

    async createEndUser(input) {
      if (!input.loginId && !input.email) throw new TypeError('an end user needs a login id or an email');
      // The login id is kept as given, for display; it must have a normalized form, which the
      // store keeps beside it for lookups.
      if (input.loginId !== undefined) requireIdentifier(input.loginId, 'loginId');
      const passwordHash = input.passwordHash ?? (input.password !== undefined ? await secretHasher.hash(input.password) : undefined);
      if (passwordHash === undefined) throw new TypeError('an end user needs a password or a password hash');
      const account = newAccount({
        accountType: 'end_user',
        loginId: input.loginId ?? null,
        email: input.email === undefined ? null : requireIdentifier(input.email, 'email'),
        emailVerified: input.email !== undefined && input.emailVerified === true,
        passwordHash,
        name: input.name ?? null,
        phoneNumber: input.phoneNumber ?? null,
        role: input.role ?? null,
      });
      await accountStore.insert(account);
      return account;
    },

    async verifyPassword(rawLogin, password, clientIp) {
      const login = requireIdentifier(rawLogin, 'id');
      // Every limit answers before any hash is computed. Per client IP: one client cannot spend
      // the machine's hashing on a flood of fresh ids, each of which has a budget of its own.
      await rateLimiter.enforce('auth.login.ip', clientIp);
      const account = await findByLogin(login);
      // Per account, so its login id and its email share one budget; per normalized login when
      // it names no account (both spellings of a budget key are normalized: `CAROL` is `carol`).
      await rateLimiter.enforce('auth.login', account ? `account:${account.id}` : `login:${login}`);
      // verify() spends the same scrypt work when there is no account, so timing tells nothing.
      const ok = await secretHasher.verify(password, account?.passwordHash ?? null, { queueKey: clientIp });
      if (!account || !ok) throw authErrors.create('INVALID_CREDENTIALS');
      if (secretHasher.needsRehash(account.passwordHash!)) {
        const passwordHash = await secretHasher.hash(password, { queueKey: clientIp });
        await accountStore.update(account.id, { passwordHash }, clock.now());
        return { ...account, passwordHash };
      }
      return account;
    },

    async loginWithPassword(id, password, clientIp) {
      const account = await this.verifyPassword(id, password, clientIp);
      const issued = await tokenService.issueAccessToken(account);
      // A password change that landed while the hash was being checked must not leave this new
      // session alive: changePassword writes the hash, then revokes; we insert, then re-read.
      // Either our re-read sees the new hash, or our session existed before the revocation.
      if ((await accountStore.findById(account.id))?.passwordHash !== account.passwordHash) {
        await tokenService.revokeSession(issued.sessionId);
        throw authErrors.create('INVALID_CREDENTIALS');
      }
      return loginResult(account, issued.token);
    },

    async extendSession(token) {
      const extended = await tokenService.extendAccessToken(token);
      return loginResult(await require(extended.accountId), extended.token);
    },

    async logout(principal) {
      if (principal.sessionId === undefined) throw authErrors.create('INVALID_TOKEN');
      await tokenService.revokeSession(principal.sessionId);
    },

    async changePassword(accountId, newPassword, options = {}) {
      if (newPassword.length < 8) throw new TypeError('a password needs at least 8 characters');
      await require(accountId);
      await accountStore.update(accountId, { passwordHash: await secretHasher.hash(newPassword) }, clock.now());
      const sessionsRevoked = await tokenService.revokeAccountSessions(accountId, options.keepSessionId === undefined ? {} : { exceptSessionId: options.keepSessionId });
      return { sessionsRevoked };
    },

    async accessTokenForApiKey(secret) {
      const key = await apiKeyService.resolve(secret);
      const account = await require(key.accountId);
      return (await tokenService.issueAccessToken(account, { apiKeyId: key.id })).token;
    },

    async myInfo(principal) {
      const a = await ensureWallet(await require(principal.accountId));
      const claim = (name: string) => (a.claims[name] ?? null) as unknown;
      return {
        account_id: a.id,
        oidc_issuer_url: null,
        sub: a.id,
        name: a.name,
        given_name: claim('given_name'),
        family_name: claim('family_name'),
        middle_name: claim('middle_name'),
        nickname: claim('nickname'),
        preferred_username: a.loginId,
        profile: claim('profile'),
        picture: a.imageUrl,
        website: claim('website'),
        email: a.email,
        email_verified: a.emailVerified,
        gender: claim('gender'),
        birthdate: claim('birthdate'),
        zoneinfo: claim('zoneinfo'),
        locale: claim('locale'),
        phone_number: a.phoneNumber,
        phone_number_verified: a.phoneVerified,
        address: claim('address'),
        account_type: a.accountType,
        domain: a.domain,
        domain_verified: a.domainVerified,
        id_wallet: {
          address: a.wallet.address,
          // The Web3Connect document names this field jwk_encrypted but shows only x and y: it is the public key.
          jwk_encrypted: walletService.publicKeyJwk(a.wallet),
          owner: a.id,
          created_date_string: a.wallet.createdAt.toISOString(),
          created_at: a.wallet.createdAt.toISOString(),
          updated_at: a.wallet.createdAt.toISOString(),
        },
        created_at: a.createdAt.toISOString(),
        updated_at: a.updatedAt.toISOString(),
      };
    },

    async publicInfo(address) {
      const account = await accountStore.findByWalletAddress(address);
      if (!account?.wallet) throw authErrors.create('WALLET_NOT_FOUND');
      return { id_wallet_address: account.wallet.address, id_wallet_public_key_jwk: walletService.publicKeyJwk(account.wallet) };
    },

    async importEndUser(principal, email) {
      if (principal.accountType !== 'organization') throw authErrors.create('ORGANIZATION_ONLY');
      // Every call counts, found or not: the limit bounds how fast an organization can try addresses.
      await rateLimiter.enforce('auth.import', principal.accountId);
      const user = await accountStore.findByEmail(requireIdentifier(email, 'email'));
      // Only an address its owner has proved: anyone can sign up with someone else's email, and
      // an import of that would hand the organization the squatter's wallet as the owner's.
      // Unknown and unverified answer alike, so an import tells nothing about unverified accounts.
      if (!user || user.accountType !== 'end_user' || !user.emailVerified) {
        throw authErrors.create('ACCOUNT_NOT_FOUND', { message: 'No end-user account has this verified email.' });
      }
      const withWalletUser = await ensureWallet(user);
      if (await accountStore.associate(principal.accountId, user.id, 'import', clock.now())) {
        // The end user hears of a new import when it happens, not only if they look at the list.
        // The import stands if the mail fails: the list shows it either way.
        const organization = await require(principal.accountId);
        const notice = importNoticeEmail(user.email!, { name: organization.name ?? organization.domain ?? '', domain: organization.domain ?? '' });
        await emailSender.send(notice).catch((error: unknown) => logger.warn({ err: error, accountId: user.id }, 'import notice not sent'));
      }
      return { email: user.email!, id_wallet_address: withWalletUser.wallet.address };
    },

    async associations(principal) {
      if (principal.accountType !== 'end_user') throw authErrors.create('END_USER_ONLY');
      const list = await accountStore.associationsOf(principal.accountId);
      return list.map((a) => ({
        organization_id: a.organizationId,
        name: a.organizationName,
        domain: a.domain,
        domain_verified: a.domainVerified,
        via: a.via,
        associated_at: a.createdAt.toISOString(),
      }));
    },

    // AccountDirectory, for other plugins
    async get(accountId) {
      const account = await accountStore.findById(accountId);
      return account ? summary(account) : null;
    },
    getMany: async (accountIds) => (await accountStore.findByIds(accountIds)).map(summary),
    async findByWalletAddress(address) {
      const account = await accountStore.findByWalletAddress(address);
      return account ? summary(account) : null;
    },
    async findByLoginId(loginId) {
      const login = normalizeIdentifier(loginId);
      const account = login.ok ? await findByLogin(login.identifier) : null;
      return account ? summary(account) : null;
    },
    async walletOf(accountId) {
      const wallet = await withWallet(accountId);
      return { address: wallet.address, publicKeyJwk: walletService.publicKeyJwk(wallet) };
    },
    signTypedData: async (accountId, request) => walletService.signTypedData(await withWallet(accountId), request),
    signMessage: async (accountId, message) => walletService.signMessage(await withWallet(accountId), message),
    async login(accountId) {
      const account = await require(accountId);
      return loginResult(account, (await tokenService.issueAccessToken(account)).token);
    },
    async createExternalLoginEndUser(input = {}) {
      // no login id, email or password: nothing another sign-up could collide with, and no password login
      const account = newAccount({ accountType: 'end_user', name: input.name ?? null });
      await accountStore.insert(account);
      return summary(account);
    },
  };
}
