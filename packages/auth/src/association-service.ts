import {
  compileValidator,
  coreErrors,
  isKitError,
  requireIdentifier,
  Type,
  type Clock,
  type EmailSender,
  type FieldIssue,
  type KitConfig,
  type KitUrls,
  type OneTimeCodes,
  type RateLimiter,
  type SecretHasher,
  type SiweVerifier,
} from '@w3kit/core';
import type { AccountService } from './account-service.js';
import type { AccountRecord, AccountStore } from './account-store.js';
import { renderButtonJs } from './association-button.js';
import type { ApiKeyService } from './api-key-service.js';
import type { ResolvedAuthOptions } from './auth-config.js';
import { signUpAttemptEmail, verificationCodeEmail } from './email-messages.js';
import { authErrors } from './errors.js';
import { redirectRefusal } from './redirect-policy.js';
import { codeFailure, deliverOrRevoke } from './verification-service.js';

/** The route group of the association pages; a host may move it with `basePaths.association`. */
export const ASSOCIATION_API = 'association';
export const ASSOCIATION_BASE_PATH = '/rest/v1';

const TICKET_PURPOSE = 'auth.association';
const SIGN_IN_PURPOSE = 'auth.association.sign-in';
// Bound to the ticket by its purpose, so a sign-up code of one ticket is not found on another.
const signUpPurpose = (ticketHandle: string) => `auth.association.sign-up:${ticketHandle}`;
const PASSWORD_LENGTH = { min: 8, max: 1024 };

/** What a ticket carries in its server-side data. */
export interface AssociationTicketData {
  organizationId: string;
  redirectUrl: string;
}

/** A live ticket, read without consuming it, with the organization that asks. */
export interface OpenTicket {
  /** The secret from the button's URL. */
  ticket: string;
  /** The ticket's public handle: sign-ins are bound to it. */
  handle: string;
  expiresAt: Date;
  organization: { id: string; name: string; domain: string };
  redirectUrl: string;
}

/** The end user signed in on an association page. */
export interface AssociatingUser {
  id: string;
  name: string | null;
  email: string | null;
  /** Null until the confirmation creates the ID wallet. */
  walletAddress: string | null;
}

/** A sign-in on the page: a secret for an HttpOnly cookie, valid as long as the ticket. */
export interface AssociationSignIn {
  secret: string;
  maxAgeSeconds: number;
}

export interface NewAssociationAccount {
  name: string;
  email: string;
  password: string;
}

/** A sign-up waiting for the code sent to its email; the page shows the code form. */
export interface PendingSignUp {
  /** The code's public handle, posted back with the code. */
  handle: string;
  /** The address the code was sent to (normalized), as the page shows it. */
  email: string;
}

/**
 * The rules of the Web3Connect association: who may generate a button and for which redirect
 * URL, the one-time ticket, the end user's sign-in or sign-up on the association page (kept in
 * the database, bound to the ticket), and the confirmation that records the association once.
 */
export interface AssociationService {
  /** URL path of the association page (mount path + base path + `/association`). */
  readonly pagePath: string;
  /**
   * The body of `globalWeb3ConnectButtonOnClick()` with a new ticket. 401 for a bad secret,
   * 403 ORGANIZATION_DOMAIN_NOT_VERIFIED, 400 REDIRECT_NOT_ALLOWED off the verified domain.
   */
  generateButtonJs(apiKeySecret: string, redirectUrl: string): Promise<string>;
  /** The absolute URL of the association page for a ticket. */
  pageUrl(ticket: string): string;
  /** Reads a live ticket; 410 ASSOCIATION_TICKET_GONE when it is unknown, used or expired. */
  openTicket(ticket: string): Promise<OpenTicket>;
  /** Email and password of an end user; 401 INVALID_CREDENTIALS alike for an unknown email and a wrong password; 429 after too many tries. */
  signIn(ticket: OpenTicket, email: string, password: string, clientIp: string): Promise<AssociationSignIn>;
  /**
   * Starts a sign-up: emails a code to the address, or, when the address already has an
   * account, emails its owner a notice instead. The answer is the same in both cases (no
   * account enumeration) and no account is created yet. 400 VALIDATION_FAILED, 429 past
   * `auth.sign-up` (per client IP, counted first) or `auth.email.address`.
   */
  signUp(ticket: OpenTicket, input: NewAssociationAccount, clientIp: string): Promise<PendingSignUp>;
  /**
   * Finishes a sign-up with the emailed code: creates the end user (email verified, with an ID
   * wallet) and signs them in. 422 INVALID_CODE / TOO_MANY_ATTEMPTS / CODE_EXPIRED, 409
   * ACCOUNT_EXISTS when the address was taken in between.
   */
  verifySignUp(ticket: OpenTicket, handle: string, code: string): Promise<AssociationSignIn>;
  /** Whether the page offers "sign in with your wallet": the siwe plugin is composed. */
  readonly walletSignIn: boolean;
  /** A nonce for the wallet sign-in form (and the statement to sign), or null when the siwe plugin is not composed. */
  walletNonce(): Promise<{ nonce: string; statement?: string } | null>;
  /**
   * Signs an end user in with a signed Sign-In with Ethereum message, through the siwe plugin's
   * `siweVerifier`: its errors (`SIWE_*`) as they are; 401 INVALID_CREDENTIALS for an organization's
   * address; 404 NOT_FOUND when siwe is not composed; 429 past the siwe plugin's per-IP `siwe.verify`.
   */
  signInWithWallet(ticket: OpenTicket, message: string, signature: string, clientIp: string): Promise<AssociationSignIn>;
  /** The end user signed in on this ticket with `signInSecret`, or null. */
  signedInUser(ticket: OpenTicket, signInSecret: string | undefined): Promise<AssociatingUser | null>;
  signOut(signInSecret: string | undefined): Promise<void>;
  /**
   * Consumes the ticket, gives the end user an ID wallet if needed, records the association and
   * returns the redirect URL with `id_wallet_address` set. 401 ASSOCIATION_SIGN_IN_REQUIRED,
   * 410 ASSOCIATION_TICKET_GONE (also to the second of two concurrent confirmations).
   */
  confirm(ticket: OpenTicket, signInSecret: string | undefined): Promise<string>;
}

export interface AssociationServiceDeps {
  config: KitConfig;
  urls: KitUrls;
  accountService: AccountService;
  accountStore: AccountStore;
  apiKeyService: ApiKeyService;
  oneTimeCodes: OneTimeCodes;
  secretHasher: SecretHasher;
  rateLimiter: RateLimiter;
  emailSender: EmailSender;
  clock: Clock;
  /** The siwe plugin's verifier when it is composed: the page then offers "sign in with your wallet". */
  siweVerifier?: SiweVerifier | undefined;
  options: Pick<ResolvedAuthOptions, 'associationTicketTtlSeconds' | 'emailCodeTtlSeconds' | 'emailCodeMaxAttempts'>;
}

interface SignInData {
  ticketHandle: string;
  accountId: string;
}

/** A sign-up's code data: the account to create, or null for an address that already has one (that code is sent to nobody). */
interface SignUpData {
  account: { name: string; email: string; passwordHash: string } | null;
}

const emailFormat = compileValidator('body', Type.String({ format: 'email', maxLength: 191 }));

function signUpIssues(input: NewAssociationAccount): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (input.name.trim() === '') issues.push({ field: 'name', message: 'Enter your name.' });
  else if (input.name.trim().length > 191) issues.push({ field: 'name', message: 'The name must be at most 191 characters.' });
  if (!emailFormat.check(input.email.trim()).ok) issues.push({ field: 'email', message: 'Enter a valid email address.' });
  if (input.password.length < PASSWORD_LENGTH.min) issues.push({ field: 'password', message: `The password must be at least ${PASSWORD_LENGTH.min} characters.` });
  else if (input.password.length > PASSWORD_LENGTH.max) issues.push({ field: 'password', message: `The password must be at most ${PASSWORD_LENGTH.max} characters.` });
  return issues;
}

export function createAssociationService(deps: AssociationServiceDeps): AssociationService {
  const { config, accountService, accountStore, apiKeyService, oneTimeCodes, secretHasher, rateLimiter, emailSender, clock, options } = deps;
  const pageUrl = (ticket: string) => `${deps.urls.to('auth.association.page')}?${new URLSearchParams({ token: ticket }).toString()}`;

  /** The organization may send end users to `redirectUrl`; checked when the button is made and again on confirmation. */
  function checkRedirect(organization: AccountRecord, redirectUrl: string): { id: string; name: string; domain: string } {
    if (organization.accountType !== 'organization' || !organization.domain || !organization.domainVerified) {
      throw authErrors.create('ORGANIZATION_DOMAIN_NOT_VERIFIED');
    }
    const refusal = redirectRefusal(redirectUrl, organization.domain, { allowLocalHosts: config.mode !== 'production' });
    if (refusal) throw authErrors.create('REDIRECT_NOT_ALLOWED', { issues: [{ field: 'redirect_url', message: refusal }] });
    return { id: organization.id, name: organization.name ?? organization.domain, domain: organization.domain };
  }

  /** What is left of the ticket's life: nothing bound to it outlives it. */
  const ticketSecondsLeft = (ticket: OpenTicket) => Math.max(1, Math.ceil((ticket.expiresAt.getTime() - clock.now().getTime()) / 1000));

  async function startSignIn(ticket: OpenTicket, account: AccountRecord): Promise<AssociationSignIn> {
    const maxAgeSeconds = ticketSecondsLeft(ticket);
    const issued = await oneTimeCodes.issue<SignInData>({
      purpose: SIGN_IN_PURPOSE,
      shape: { kind: 'token', bytes: 32 },
      ttlSeconds: maxAgeSeconds,
      maxAttempts: 1,
      data: { ticketHandle: ticket.handle, accountId: account.id },
    });
    return { secret: issued.secret, maxAgeSeconds };
  }

  async function signedInUser(ticket: OpenTicket, signInSecret: string | undefined): Promise<AssociatingUser | null> {
    if (!signInSecret) return null;
    const signIn = await oneTimeCodes.peek<SignInData>(SIGN_IN_PURPOSE, signInSecret);
    if (!signIn || signIn.data.ticketHandle !== ticket.handle) return null;
    const account = await accountStore.findById(signIn.data.accountId);
    if (!account || account.accountType !== 'end_user') return null;
    return { id: account.id, name: account.name, email: account.email, walletAddress: account.wallet?.address ?? null };
  }

  return {
    get pagePath() {
      return deps.urls.path('auth.association.page');
    },
    pageUrl,

    async generateButtonJs(apiKeySecret, redirectUrl) {
      const organization = await accountService.require((await apiKeyService.resolve(apiKeySecret)).accountId);
      checkRedirect(organization, redirectUrl);
      const issued = await oneTimeCodes.issue<AssociationTicketData>({
        purpose: TICKET_PURPOSE,
        shape: { kind: 'token', bytes: 32 },
        ttlSeconds: options.associationTicketTtlSeconds,
        data: { organizationId: organization.id, redirectUrl },
      });
      return renderButtonJs(pageUrl(issued.secret));
    },

    async openTicket(ticket) {
      const live = ticket ? await oneTimeCodes.peek<AssociationTicketData>(TICKET_PURPOSE, ticket) : null;
      const organization = live ? await accountStore.findById(live.data.organizationId) : null;
      if (!live || !organization) throw authErrors.create('ASSOCIATION_TICKET_GONE');
      return {
        ticket,
        handle: live.handle,
        expiresAt: live.expiresAt,
        organization: { id: organization.id, name: organization.name ?? organization.domain ?? '', domain: organization.domain ?? '' },
        redirectUrl: live.data.redirectUrl,
      };
    },

    async signIn(ticket, email, password, clientIp) {
      if (email === '' || password === '') {
        throw coreErrors.create('VALIDATION_FAILED', { issues: [{ field: email === '' ? 'email' : 'password', message: 'Enter your email and password.' }] });
      }
      const login = requireIdentifier(email, 'email');
      // The account service's check: the same attempt budget, timing and answer as the Finenex login.
      const wrong = () => authErrors.create('INVALID_CREDENTIALS', { message: 'The email or password is wrong.' });
      const account = await accountService.verifyPassword(login, password, clientIp).catch((error: unknown) => {
        throw isKitError(error) && error.code === 'INVALID_CREDENTIALS' ? wrong() : error;
      });
      if (account.accountType !== 'end_user') throw wrong();
      return startSignIn(ticket, account);
    },

    walletSignIn: deps.siweVerifier !== undefined,

    async walletNonce() {
      if (!deps.siweVerifier) return null;
      const { nonce, statement } = await deps.siweVerifier.issueNonce();
      return statement === undefined ? { nonce } : { nonce, statement };
    },

    async signInWithWallet(ticket, message, signature, clientIp) {
      if (!deps.siweVerifier) throw coreErrors.create('NOT_FOUND');
      // the siwe plugin's per-IP rule (composed, since siweVerifier is), the same budget as its own verify route
      await rateLimiter.enforce('siwe.verify', clientIp);
      const { accountId } = await deps.siweVerifier.verifySignIn({ message, signature });
      const account = await accountStore.findById(accountId);
      // only an end user connects an ID wallet, as with email and password
      if (!account || account.accountType !== 'end_user') throw authErrors.create('INVALID_CREDENTIALS', { message: 'This wallet does not belong to an end-user account.' });
      return startSignIn(ticket, account);
    },

    async signUp(ticket, input, clientIp) {
      await rateLimiter.enforce('auth.sign-up', clientIp);
      const issues = signUpIssues(input);
      if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues });
      const email = requireIdentifier(input.email, 'email');
      // Every sign-up emails the address (a code, or the owner's notice): bounded per address.
      await rateLimiter.enforce('auth.email.address', email);
      // Hashed whether or not the address is taken, so both answers cost the same time.
      const passwordHash = await secretHasher.hash(input.password);
      const existing = await accountStore.findByEmail(email);
      const purpose = signUpPurpose(ticket.handle);
      const ttlSeconds = Math.min(options.emailCodeTtlSeconds, ticketSecondsLeft(ticket));
      // A taken address gets a code too, with no account behind it and sent to nobody, so the
      // code form then behaves the same (tries, expiry) whichever the case.
      const issued = await oneTimeCodes.issue<SignUpData>({
        purpose,
        subject: email,
        ttlSeconds,
        maxAttempts: options.emailCodeMaxAttempts,
        data: { account: existing ? null : { name: input.name.trim(), email, passwordHash } },
        supersede: true,
      });
      await deliverOrRevoke(oneTimeCodes, { purpose, subject: email }, () =>
        emailSender.send(existing ? signUpAttemptEmail(email, ticket.organization) : verificationCodeEmail(email, issued.secret, ttlSeconds, 'sign-up')),
      );
      return { handle: issued.handle, email };
    },

    async verifySignUp(ticket, handle, code) {
      const result = await oneTimeCodes.consume<SignUpData>(signUpPurpose(ticket.handle), { handle }, code);
      if (!result.ok) throw codeFailure(result);
      // A taken address's code went to nobody: right only by a lucky guess, which proves nothing.
      if (!result.data.account) throw authErrors.create('CODE_EXPIRED');
      const { name, email, passwordHash } = result.data.account;
      const account = await accountService.createEndUser({ name, email, passwordHash, emailVerified: true });
      return startSignIn(ticket, account);
    },

    signedInUser,

    async signOut(signInSecret) {
      if (signInSecret) await oneTimeCodes.consume(SIGN_IN_PURPOSE, { bySecret: true }, signInSecret);
    },

    async confirm(ticket, signInSecret) {
      const user = await signedInUser(ticket, signInSecret);
      if (!user) throw authErrors.create('ASSOCIATION_SIGN_IN_REQUIRED');
      // The organization may have lost its verified domain since the button was made.
      checkRedirect(await accountService.require(ticket.organization.id), ticket.redirectUrl);
      const claimed = await oneTimeCodes.consume(TICKET_PURPOSE, { handle: ticket.handle }, ticket.ticket);
      if (!claimed.ok) throw authErrors.create('ASSOCIATION_TICKET_GONE');
      const account = await accountService.ensureWallet(await accountService.require(user.id));
      // The sign-in is left to expire: it is bound to this ticket, which no page opens any more.
      // (Consuming it here would let the loser of two concurrent confirmations see "sign in" instead of "used".)
      await accountStore.associate(ticket.organization.id, account.id, 'association_page', clock.now());
      const target = new URL(ticket.redirectUrl);
      target.searchParams.set('id_wallet_address', account.wallet.address);
      return target.toString();
    },
  };
}
