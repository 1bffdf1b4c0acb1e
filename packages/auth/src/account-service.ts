import { normalizeIdentifier, requireIdentifier, type AccountDirectory, type AccountSummary, type Clock, type LoginResult, type Principal, type RandomSource, type RateLimiter, type SecretHasher } from '@w3kit/core';
import type { AccountRecord, AccountStore } from './account-store.js';
import type { ApiKeyService } from './api-key-service.js';
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
  password: string;
  name?: string;
  phoneNumber?: string;
  role?: string;
}

/** The seed's `GET /account/my_info` result. */
export type MyInfo = Record<string, unknown>;

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
  /** A new token for the account of a still-valid token. */
  extendSession(token: string): Promise<LoginResult>;
  /** API key secret → access token (Web3Connect refresh). */
  accessTokenForApiKey(secret: string): Promise<string>;
  myInfo(principal: Principal): Promise<MyInfo>;
  publicInfo(address: string): Promise<{ id_wallet_address: string; id_wallet_public_key_jwk: NonNullable<AccountSummary['walletPublicKeyJwk']> }>;
  importEndUser(principal: Principal, email: string): Promise<{ email: string; id_wallet_address: string }>;
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
  clock: Clock;
  random: RandomSource;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function createAccountService(deps: AccountServiceDeps): AccountService {
  const { accountStore, apiKeyService, tokenService, walletService, secretHasher, rateLimiter, clock, random } = deps;

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

  const loginResult = async (a: AccountRecord): Promise<LoginResult> => ({
    token: (await tokenService.issueAccessToken(a)).token,
    userId: a.loginId ?? a.email ?? a.id,
    name: a.name,
    telNo: a.phoneNumber,
    email: a.email,
    imageUrl: a.imageUrl,
  });

  /** The account a normalized login names: its login id, or else its email when it looks like one. */
  const findByLogin = async (login: string) =>
    (await accountStore.findByLoginId(login)) ?? (login.includes('@') ? await accountStore.findByEmail(login) : null);

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
      const account = newAccount({
        accountType: 'end_user',
        loginId: input.loginId ?? null,
        email: input.email === undefined ? null : requireIdentifier(input.email, 'email'),
        passwordHash: await secretHasher.hash(input.password),
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
        await accountStore.update(account.id, { passwordHash: await secretHasher.hash(password, { queueKey: clientIp }) }, clock.now());
      }
      return account;
    },

    async loginWithPassword(id, password, clientIp) {
      return loginResult(await this.verifyPassword(id, password, clientIp));
    },

    async extendSession(token) {
      const claims = await tokenService.verifyAccessToken(token);
      return loginResult(await require(claims.accountId));
    },

    async accessTokenForApiKey(secret) {
      const account = await require(await apiKeyService.resolve(secret));
      return (await tokenService.issueAccessToken(account)).token;
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
          // The seed names this field jwk_encrypted but shows only x and y: it is the public key.
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
      const user = await accountStore.findByEmail(requireIdentifier(email, 'email'));
      if (!user || user.accountType !== 'end_user') throw authErrors.create('ACCOUNT_NOT_FOUND', { message: 'No end-user account has this email.' });
      const withWalletUser = await ensureWallet(user);
      await accountStore.associate(principal.accountId, user.id, clock.now());
      return { email: user.email!, id_wallet_address: withWalletUser.wallet.address };
    },

    // AccountDirectory, for other plugins
    async get(accountId) {
      const account = await accountStore.findById(accountId);
      return account ? summary(account) : null;
    },
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
    login: async (accountId) => loginResult(await require(accountId)),
  };
}
