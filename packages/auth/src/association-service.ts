import { compileValidator, coreErrors, isKitError, requireIdentifier, Type, type Clock, type FieldIssue, type KitConfig, type OneTimeCodes } from '@w3kit/core';
import type { AccountService } from './account-service.js';
import type { AccountRecord, AccountStore } from './account-store.js';
import { renderButtonJs } from './association-button.js';
import type { ApiKeyService } from './api-key-service.js';
import { authErrors } from './errors.js';
import { redirectRefusal } from './redirect-policy.js';

/** The route group of the association pages; a host may move it with `basePaths.association`. */
export const ASSOCIATION_API = 'association';
export const ASSOCIATION_BASE_PATH = '/rest/v1';

const TICKET_PURPOSE = 'auth.association';
const SIGN_IN_PURPOSE = 'auth.association.sign-in';
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
  /** Creates an end user (with an ID wallet) and signs them in; 400 VALIDATION_FAILED, 409 ACCOUNT_EXISTS. */
  signUp(ticket: OpenTicket, input: NewAssociationAccount): Promise<AssociationSignIn>;
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
  accountService: AccountService;
  accountStore: AccountStore;
  apiKeyService: ApiKeyService;
  oneTimeCodes: OneTimeCodes;
  clock: Clock;
  ticketTtlSeconds: number;
}

interface SignInData {
  ticketHandle: string;
  accountId: string;
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
  const { config, accountService, accountStore, apiKeyService, oneTimeCodes, clock, ticketTtlSeconds } = deps;
  const pagePath = `${config.mountPath}${config.basePaths[ASSOCIATION_API] ?? ASSOCIATION_BASE_PATH}/association`;
  const pageUrl = (ticket: string) => `${config.publicUrl}${pagePath}?${new URLSearchParams({ token: ticket }).toString()}`;

  /** The organization may send end users to `redirectUrl`; checked when the button is made and again on confirmation. */
  function checkRedirect(organization: AccountRecord, redirectUrl: string): { id: string; name: string; domain: string } {
    if (organization.accountType !== 'organization' || !organization.domain || !organization.domainVerified) {
      throw authErrors.create('ORGANIZATION_DOMAIN_NOT_VERIFIED');
    }
    const refusal = redirectRefusal(redirectUrl, organization.domain, { allowLocalHosts: config.mode !== 'production' });
    if (refusal) throw authErrors.create('REDIRECT_NOT_ALLOWED', { issues: [{ field: 'redirect_url', message: refusal }] });
    return { id: organization.id, name: organization.name ?? organization.domain, domain: organization.domain };
  }

  async function startSignIn(ticket: OpenTicket, account: AccountRecord): Promise<AssociationSignIn> {
    // The sign-in lives no longer than the ticket it belongs to.
    const maxAgeSeconds = Math.max(1, Math.ceil((ticket.expiresAt.getTime() - clock.now().getTime()) / 1000));
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
    pagePath,
    pageUrl,

    async generateButtonJs(apiKeySecret, redirectUrl) {
      const organization = await accountService.require(await apiKeyService.resolve(apiKeySecret));
      checkRedirect(organization, redirectUrl);
      const issued = await oneTimeCodes.issue<AssociationTicketData>({
        purpose: TICKET_PURPOSE,
        shape: { kind: 'token', bytes: 32 },
        ttlSeconds: ticketTtlSeconds,
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

    async signUp(ticket, input) {
      const issues = signUpIssues(input);
      if (issues.length > 0) throw coreErrors.create('VALIDATION_FAILED', { issues });
      const account = await accountService.createEndUser({ name: input.name.trim(), email: input.email.trim(), password: input.password });
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
      await accountStore.associate(ticket.organization.id, account.id, clock.now());
      const target = new URL(ticket.redirectUrl);
      target.searchParams.set('id_wallet_address', account.wallet.address);
      return target.toString();
    },
  };
}
