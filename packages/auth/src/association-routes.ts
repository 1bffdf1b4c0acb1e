import { clientIpOf, coreErrors, defineRoute, isKitError, readFormBody, Type, type KitServices, type KitError, type RouteGroup, type RouteRequest } from '@w3kit/core';
import type { Context } from 'koa';
import { associationCookies, type AssociationCookies } from './association-cookies.js';
import { pageHeaders, postedWalletSignIn, renderCodePage, renderConfirmPage, renderMessagePage, renderSignInPage, type AssociationFrame, type SignInView } from './association-page.js';
import { ASSOCIATION_API, ASSOCIATION_BASE_PATH, type AssociationService, type OpenTicket } from './association-service.js';

/** Largest accepted form post; the forms hold a few short fields. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** Web3Connect API route (in the `web3connect` group, `{status,result,error}` envelope). */
export const associationApiRoutes = [
  defineRoute({
    name: 'auth.association.button-js',
    method: 'POST',
    path: '/auth/account/association/generate_web3connect_button_js',
    summary: 'Generate the body of globalWeb3ConnectButtonOnClick() for the organization’s web page.',
    description:
      'The API key secret authorizes it. `redirect_url` must be an https URL on the organization’s verified domain or a subdomain ' +
      '(outside production mode also http(s)://localhost and 127.0.0.1). The function opens the association page with a one-time ticket.',
    body: Type.Object({
      api_key_secret: Type.String({ minLength: 1, maxLength: 512 }),
      redirect_url: Type.String({ minLength: 1, maxLength: 2048 }),
    }),
    response: Type.String({ description: 'function globalWeb3ConnectButtonOnClick() {...}' }),
    errors: ['INVALID_API_KEY_SECRET', 'ORGANIZATION_DOMAIN_NOT_VERIFIED', 'REDIRECT_NOT_ALLOWED'],
    async handler({ body, services }) {
      return services.associationService.generateButtonJs(body.api_key_secret, body.redirect_url);
    },
  }),
];

type PageRequest = RouteRequest<undefined, undefined, undefined>;

/** One request of the association pages, with what every step needs. */
interface PageStep {
  ctx: Context;
  services: KitServices;
  association: AssociationService;
  cookies: AssociationCookies;
}

function stepOf({ ctx, services }: PageRequest): PageStep {
  const association = services.associationService;
  const cookies = associationCookies(ctx, {
    path: association.pagePath,
    secure: services.config.publicUrl.startsWith('https:'),
    encryption: services.encryption,
    random: services.random,
  });
  return { ctx, services, association, cookies };
}

const pageHref = (step: PageStep, ticket: string) => `${step.association.pagePath}?${new URLSearchParams({ token: ticket }).toString()}`;

function frameOf(step: PageStep, ticket: OpenTicket): AssociationFrame {
  const base = step.association.pagePath;
  return {
    organization: { name: ticket.organization.name, domain: ticket.organization.domain },
    returnHost: new URL(ticket.redirectUrl).host,
    token: ticket.ticket,
    csrf: step.cookies.csrfToken(ticket.ticket),
    actions: {
      signIn: `${base}/sign-in`,
      signUp: `${base}/sign-up`,
      verifyEmail: `${base}/verify-email`,
      signOut: `${base}/sign-out`,
      confirm: `${base}/confirm`,
      signInWallet: `${base}/sign-in-wallet`,
    },
    pageHref: pageHref(step, ticket.ticket),
  };
}

function show(ctx: Context, status: number, html: string, formTargets: readonly string[] = [], options: { walletScript?: boolean } = {}): void {
  ctx.set(pageHeaders(formTargets, options));
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}

function seeOther(ctx: Context, location: string): void {
  ctx.status = 303;
  ctx.redirect(location);
}

/** The sign-in page, with a fresh nonce for the wallet form when the siwe plugin is composed. */
async function showSignInPage(step: PageStep, status: number, view: SignInView): Promise<void> {
  const wallet = await step.association.walletNonce();
  show(step.ctx, status, renderSignInPage({ ...view, wallet }), [], { walletScript: wallet !== null });
}

/** The sign-in page again, with what went wrong (or `message` instead), at the error's status. */
async function showSignIn(step: PageStep, ticket: OpenTicket, error: KitError, view: Partial<SignInView>, message?: string): Promise<void> {
  const errors = message ? [message] : error.issues.length > 0 ? error.issues.map((issue) => issue.message) : [error.message];
  for (const [name, value] of Object.entries(error.headers)) step.ctx.set(name, value);
  await showSignInPage(step, error.status, { ...frameOf(step, ticket), ...view, errors });
}

/** Reads a form post: its fields and its live ticket, with the CSRF token checked. */
async function postedForm(step: PageStep) {
  const form = await readFormBody(step.ctx, FORM_LIMIT_BYTES);
  const token = form['token'] ?? '';
  step.cookies.checkCsrf(token, form['csrf']);
  return { form, ticket: await step.association.openTicket(token) };
}

const isOneOf = (error: unknown, codes: readonly string[]): error is KitError => isKitError(error) && codes.includes(error.code);

/** Titles of the pages that show one failure; any other exposed error shows its own message. */
const FAILURE_PAGES: Record<string, { title: string; message?: string }> = {
  ASSOCIATION_TICKET_GONE: {
    title: 'This link has expired',
    message: 'This association link has expired or was already used. Go back to the site you came from and press the Web3Connect button again.',
  },
  CSRF_TOKEN_INVALID: { title: 'Please try again' },
  RATE_LIMITED: { title: 'Too many attempts' },
};

/** A page route: the security headers on every answer, and failures as an HTML page, not an envelope. */
function page(name: string, method: 'GET' | 'POST', path: string, summary: string, handle: (step: PageStep) => Promise<void>) {
  return defineRoute({
    name,
    method,
    path,
    summary,
    raw: true,
    async handler(request) {
      const step = stepOf(request);
      request.ctx.set(pageHeaders());
      try {
        await handle(step);
      } catch (error) {
        if (!isKitError(error) || !error.expose) throw error; // a bug: core logs it and answers 500
        const failure = FAILURE_PAGES[error.code] ?? { title: 'Something went wrong' };
        for (const [name, value] of Object.entries(error.headers)) request.ctx.set(name, value);
        show(request.ctx, error.status, renderMessagePage({ title: failure.title, message: failure.message ?? error.message }));
      }
    },
  });
}

/**
 * The association page, server-rendered, no script. Every step carries the ticket (`token`,
 * in the query for the page, in a hidden field for posts) and every post a CSRF token.
 */
export const associationPageRoutes = [
  page('auth.association.page', 'GET', '/association', 'The association page: sign in or sign up, then confirm (HTML).', async (step) => {
    const token = step.ctx.query['token'];
    const ticket = await step.association.openTicket(typeof token === 'string' ? token : '');
    const frame = frameOf(step, ticket);
    const user = await step.association.signedInUser(ticket, step.cookies.signInSecret());
    if (!user) return showSignInPage(step, 200, frame);
    show(step.ctx, 200, renderConfirmPage({ ...frame, user }), [new URL(ticket.redirectUrl).origin]);
  }),

  page('auth.association.sign-in', 'POST', '/association/sign-in', 'Sign in with email and password (form post).', async (step) => {
    const { form, ticket } = await postedForm(step);
    const email = form['email'] ?? '';
    try {
      const signIn = await step.association.signIn(ticket, email, form['password'] ?? '', clientIpOf(step.ctx));
      step.cookies.setSignIn(signIn.secret, signIn.maxAgeSeconds);
      seeOther(step.ctx, pageHref(step, ticket.ticket));
    } catch (error) {
      if (!isOneOf(error, ['INVALID_CREDENTIALS', 'VALIDATION_FAILED', 'RATE_LIMITED'])) throw error;
      await showSignIn(step, ticket, error, { values: { email } });
    }
  }),

  page(
    'auth.association.sign-in-wallet',
    'POST',
    '/association/sign-in-wallet',
    'Sign in with a wallet: a signed Sign-In with Ethereum message (form post; only with the siwe plugin).',
    async (step) => {
      if (!step.association.walletSignIn) throw coreErrors.create('NOT_FOUND');
      const { form, ticket } = await postedForm(step);
      try {
        const { message, signature } = postedWalletSignIn(form);
        const signIn = await step.association.signInWithWallet(ticket, message, signature, clientIpOf(step.ctx));
        step.cookies.setSignIn(signIn.secret, signIn.maxAgeSeconds);
        seeOther(step.ctx, pageHref(step, ticket.ticket));
      } catch (error) {
        // the siwe plugin's refusals (wrong signature, expired, unknown address…) and rate limits: the form again, with why
        if (!isKitError(error) || !(error.code.startsWith('SIWE_') || isOneOf(error, ['INVALID_CREDENTIALS', 'RATE_LIMITED']))) throw error;
        await showSignIn(step, ticket, error, {});
      }
    },
  ),

  page('auth.association.sign-up', 'POST', '/association/sign-up', 'Start an end-user sign-up: a code goes to the email (form post; the same answer for a taken email).', async (step) => {
    const { form, ticket } = await postedForm(step);
    const input = { name: form['name'] ?? '', email: form['email'] ?? '', password: form['password'] ?? '' };
    try {
      const pending = await step.association.signUp(ticket, input, clientIpOf(step.ctx));
      show(step.ctx, 200, renderCodePage({ ...frameOf(step, ticket), email: pending.email, pending: pending.handle }));
    } catch (error) {
      if (!isOneOf(error, ['VALIDATION_FAILED', 'RATE_LIMITED'])) throw error;
      await showSignIn(step, ticket, error, { open: 'sign-up', values: { name: input.name, email: input.email } });
    }
  }),

  page('auth.association.verify-email', 'POST', '/association/verify-email', 'Finish the sign-up with the emailed code: creates the account and ID wallet (form post).', async (step) => {
    const { form, ticket } = await postedForm(step);
    const pending = form['pending'] ?? '';
    try {
      const signIn = await step.association.verifySignUp(ticket, pending, form['code'] ?? '');
      step.cookies.setSignIn(signIn.secret, signIn.maxAgeSeconds);
      seeOther(step.ctx, pageHref(step, ticket.ticket));
    } catch (error) {
      if (!isOneOf(error, ['INVALID_CODE', 'TOO_MANY_ATTEMPTS', 'CODE_EXPIRED', 'ACCOUNT_EXISTS'])) throw error;
      if (error.code !== 'INVALID_CODE') {
        // The code is spent: back to the forms. Whoever reaches ACCOUNT_EXISTS holds the code, so owns the address.
        const message = error.code === 'ACCOUNT_EXISTS' ? 'An account with this email already exists. Sign in instead.' : undefined;
        return await showSignIn(step, ticket, error, { open: error.code === 'ACCOUNT_EXISTS' ? 'sign-in' : 'sign-up' }, message);
      }
      const left = Number(error.details?.['attempts_left'] ?? 0);
      const errors = [`The code is wrong; ${left} ${left === 1 ? 'try' : 'tries'} left.`];
      for (const [name, value] of Object.entries(error.headers)) step.ctx.set(name, value);
      show(step.ctx, error.status, renderCodePage({ ...frameOf(step, ticket), email: form['email'] ?? '', pending, errors }));
    }
  }),

  page('auth.association.sign-out', 'POST', '/association/sign-out', 'Sign out, to use another account (form post).', async (step) => {
    const { ticket } = await postedForm(step);
    await step.association.signOut(step.cookies.signInSecret());
    step.cookies.clearSignIn();
    seeOther(step.ctx, pageHref(step, ticket.ticket));
  }),

  page('auth.association.confirm', 'POST', '/association/confirm', 'Confirm: record the association, then redirect to redirect_url with id_wallet_address (form post).', async (step) => {
    const { ticket } = await postedForm(step);
    try {
      const location = await step.association.confirm(ticket, step.cookies.signInSecret());
      step.cookies.clearSignIn();
      seeOther(step.ctx, location);
    } catch (error) {
      if (!isOneOf(error, ['ASSOCIATION_SIGN_IN_REQUIRED'])) throw error;
      await showSignIn(step, ticket, error, {});
    }
  }),
];

/** The association pages as a route group of their own (`basePaths.association` moves them). */
export function associationRouteGroup(): RouteGroup {
  return { api: ASSOCIATION_API, basePath: ASSOCIATION_BASE_PATH, format: 'web3connect', routes: associationPageRoutes };
}
