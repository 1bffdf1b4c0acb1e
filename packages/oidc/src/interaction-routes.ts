import { clientIpOf, defineRoute, isKitError, readFormBody, type KitServices, type RouteRequest } from '@w3kit/core';
import { kitPageHeaders, postedWalletSignIn } from '@w3kit/auth';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { oidcErrors } from './errors.js';
import { interactionCsrf, type InteractionCsrf } from './interaction-cookies.js';
import { renderConsentPage, renderLoginPage, renderOpMessagePage, renderVpWaitPage, type InteractionFrame, type LoginView } from './interaction-page.js';

/** Largest accepted form post: a few short fields (a SIWE message and signature at most). */
const FORM_LIMIT_BYTES = 16 * 1024;
/** How often the wallet-login page checks for the wallet's answer, seconds. */
const VP_POLL_SECONDS = 2;

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** One request of the interaction pages, with what every step needs. */
export interface InteractionStep {
  ctx: Context;
  services: KitServices;
  provider: Provider;
  interaction: Interaction;
  csrf: InteractionCsrf;
  /** `/oidc/interaction/<uid>`: the page, and the prefix of its actions. */
  pageHref: string;
}

/** The words the consent page uses for each scope. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'your account identifier',
  profile: 'your name and profile',
  email: 'your email address',
  phone: 'your phone number',
  address: 'your postal address',
  wallet: 'your ID wallet address',
  offline_access: 'access while you are away',
};

async function stepOf({ ctx, services }: RouteRequest<undefined, undefined, undefined>): Promise<InteractionStep> {
  const host = services.oidcProviderHost;
  const provider = await host.provider();
  let interaction: Interaction;
  try {
    interaction = await provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    // No interaction cookie, another browser's, or expired: the provider's SessionNotFound.
    throw oidcErrors.create('INTERACTION_GONE');
  }
  // The provider finds the interaction by its cookie; the page's own uid must be that one.
  if ((ctx as Context & { params?: Record<string, string> }).params?.['uid'] !== interaction.uid) throw oidcErrors.create('INTERACTION_GONE');
  const csrf = interactionCsrf(ctx, { path: `${host.prefix}/interaction`, secure: host.issuer.startsWith('https:'), encryption: services.encryption, random: services.random });
  return { ctx, services, provider, interaction, csrf, pageHref: `${host.prefix}/interaction/${interaction.uid}` };
}

/** The origin the browser ends up on: the redirect URI the provider already matched against the client's list. */
const redirectOrigin = (step: InteractionStep) => new URL(String(step.interaction.params['redirect_uri'])).origin;

async function frameOf(step: InteractionStep): Promise<InteractionFrame> {
  const client = await step.provider.Client.find(String(step.interaction.params['client_id']));
  return {
    clientName: client?.clientName ?? String(step.interaction.params['client_id']),
    returnHost: new URL(String(step.interaction.params['redirect_uri'])).host,
    csrf: step.csrf.token(step.interaction.uid),
    abortAction: `${step.pageHref}/abort`,
  };
}

function show(step: InteractionStep, status: number, html: string, options: { walletScript?: boolean } = {}): void {
  // The form posts of these pages end, through the provider, on the relying party's redirect URI.
  step.ctx.set(kitPageHeaders([redirectOrigin(step)], options));
  step.ctx.status = status;
  step.ctx.type = 'text/html; charset=utf-8';
  step.ctx.body = html;
}

export async function loginView(step: InteractionStep, extra: Partial<LoginView> = {}): Promise<LoginView> {
  const { services } = step;
  return {
    ...(await frameOf(step)),
    passwordAction: `${step.pageHref}/password`,
    ...(services.oidcLoginService.vpLoginAvailable() ? { vpStartAction: `${step.pageHref}/vp` } : {}),
    ...(services.oidcLoginService.siweAvailable() ? { siwe: { action: `${step.pageHref}/siwe`, ...(await services.oidcLoginService.siweNonce()) } } : {}),
    ...extra,
  };
}

/** The sign-in page, with the wallet script allowed when it offers Sign-In with Ethereum. */
async function showLogin(step: InteractionStep, status: number, extra: Partial<LoginView> = {}): Promise<void> {
  const view = await loginView(step, extra);
  show(step, status, renderLoginPage(view), { walletScript: view.siwe !== undefined });
}

/** The login page again, with what went wrong, at the error's status. */
export async function showLoginError(step: InteractionStep, error: unknown, values: Partial<LoginView> = {}): Promise<void> {
  if (!isKitError(error) || !error.expose || error.status >= 500) throw error;
  for (const [name, value] of Object.entries(error.headers)) step.ctx.set(name, value);
  await showLogin(step, error.status, { ...values, errors: [error.message] });
}

/** Records the interaction's result and sends the browser back to the provider. */
export async function finish(step: InteractionStep, result: InteractionResults): Promise<void> {
  const returnTo = await step.provider.interactionResult(step.ctx.req, step.ctx.res, result, { mergeWithLastSubmission: false });
  step.ctx.status = 303;
  step.ctx.redirect(returnTo);
}

/** Reads a form post with its CSRF token checked. */
export async function postedForm(step: InteractionStep): Promise<Record<string, string>> {
  const form = await readFormBody(step.ctx, FORM_LIMIT_BYTES);
  step.csrf.check(step.interaction.uid, form['csrf']);
  return form;
}

/** Logs the account in: the login prompt is answered, the provider opens its session. */
export const loginResult = (accountId: string, amr: string): InteractionResults => ({ login: { accountId, amr: [amr], remember: true } });

const FAILURE_TITLES: Record<string, string> = { INTERACTION_GONE: 'This page has expired', CSRF_TOKEN_INVALID: 'Please try again', RATE_LIMITED: 'Too many attempts' };

/** A page route: security headers on every answer, failures as an HTML page. */
export function interactionPage(name: string, method: 'GET' | 'POST', path: string, summary: string, handle: (step: InteractionStep) => Promise<void>) {
  return defineRoute({
    name,
    method,
    path,
    summary,
    raw: true,
    async handler(request) {
      request.ctx.set(kitPageHeaders());
      try {
        await handle(await stepOf(request));
      } catch (error) {
        if (!isKitError(error) || !error.expose) throw error; // a bug: core logs it and answers 500
        for (const [name, value] of Object.entries(error.headers)) request.ctx.set(name, value);
        request.ctx.status = error.status;
        request.ctx.type = 'text/html; charset=utf-8';
        request.ctx.body = renderOpMessagePage(FAILURE_TITLES[error.code] ?? 'Something went wrong', error.message);
      }
    },
  });
}

async function consentPage(step: InteractionStep): Promise<void> {
  const accountId = step.interaction.session?.accountId;
  const account = accountId ? await step.services.accountDirectory.get(accountId) : null;
  const scopes = String(step.interaction.params['scope'] ?? 'openid').split(' ');
  show(
    step,
    200,
    renderConsentPage({
      ...(await frameOf(step)),
      confirmAction: `${step.pageHref}/consent`,
      who: account?.email ?? account?.loginId ?? account?.name ?? 'you',
      asks: [...new Set(scopes.map((s) => SCOPE_WORDS[s]).filter((w): w is string => w !== undefined))],
    }),
  );
}

/** The grant of the consent prompt: what was asked and is missing, added to the existing grant or a new one. */
async function grantConsent(step: InteractionStep): Promise<string> {
  const { interaction, provider } = step;
  const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  const grant = interaction.grantId
    ? ((await provider.Grant.find(interaction.grantId)) ?? new provider.Grant({ accountId: interaction.session!.accountId, clientId: String(interaction.params['client_id']) }))
    : new provider.Grant({ accountId: interaction.session!.accountId, clientId: String(interaction.params['client_id']) });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

/** The interaction pages (HTML; the only script is the wallet sign-in's, allowed by its hash), under `/oidc/interaction/:uid`. */
export const interactionRoutes = [
  interactionPage('oidc.interaction', 'GET', '/interaction/:uid', 'The OP’s sign-in or consent page for an authorization request (HTML).', async (step) => {
    if (step.interaction.prompt.name === 'login') {
      const logins = step.services.oidcLoginService;
      if (!(await logins.pendingVpLogin(step.interaction.uid))) return showLogin(step, 200);
      const vp = await logins.collectVpLogin(step.interaction.uid);
      if (vp.state === 'done') return finish(step, loginResult(vp.accountId, 'vp'));
      if (vp.state === 'failed') return showLogin(step, 400, { errors: [vp.message] });
      const waitSeconds = Math.max(0, Math.round((vp.pending.expiresAt.getTime() - step.services.clock.now().getTime()) / 1000));
      // The browser asks again every few seconds: a Refresh header, so the page needs no script.
      step.ctx.set('refresh', String(VP_POLL_SECONDS));
      return show(step, 200, renderVpWaitPage({ ...(await frameOf(step)), requestId: vp.pending.requestId, checkHref: step.pageHref, waitSeconds }));
    }
    if (step.interaction.prompt.name === 'consent') return consentPage(step);
    throw oidcErrors.create('INTERACTION_GONE');
  }),

  interactionPage('oidc.interaction.password', 'POST', '/interaction/:uid/password', 'Sign in with email (or login id) and password (form post).', async (step) => {
    const form = await postedForm(step);
    const login = form['login'] ?? '';
    try {
      const accountId = await step.services.oidcLoginService.withPassword(login, form['password'] ?? '', clientIpOf(step.ctx));
      await finish(step, loginResult(accountId, 'pwd'));
    } catch (error) {
      await showLoginError(step, error, { email: login });
    }
  }),

  interactionPage(
    'oidc.interaction.siwe',
    'POST',
    '/interaction/:uid/siwe',
    'Sign in with Ethereum: an EIP-4361 message and its signature (form post; when the siwe plugin is composed).',
    async (step) => {
      const { message, signature } = postedWalletSignIn(await postedForm(step));
      try {
        const accountId = await step.services.oidcLoginService.withSiwe(message, signature, clientIpOf(step.ctx));
        await finish(step, loginResult(accountId, 'siwe'));
      } catch (error) {
        await showLoginError(step, error);
      }
    },
  ),

  interactionPage('oidc.interaction.vp', 'POST', '/interaction/:uid/vp', 'Start a wallet (VP) login: the did plugin’s website login, completed by the wallet app (form post).', async (step) => {
    await postedForm(step);
    try {
      await step.services.oidcLoginService.startVpLogin(step.interaction.uid, clientIpOf(step.ctx));
      step.ctx.status = 303;
      step.ctx.redirect(step.pageHref);
    } catch (error) {
      await showLoginError(step, error);
    }
  }),

  interactionPage('oidc.interaction.consent', 'POST', '/interaction/:uid/consent', 'Allow what the relying party asks for (form post).', async (step) => {
    await postedForm(step);
    if (step.interaction.prompt.name !== 'consent') throw oidcErrors.create('INTERACTION_GONE');
    await finish(step, { consent: { grantId: await grantConsent(step) } });
  }),

  interactionPage('oidc.interaction.abort', 'POST', '/interaction/:uid/abort', 'Cancel: the relying party receives access_denied (form post).', async (step) => {
    await postedForm(step);
    await finish(step, { error: 'access_denied', error_description: 'The end user cancelled the sign-in.' });
  }),
];
