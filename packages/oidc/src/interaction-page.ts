import { escapeHtml, renderKitPage, walletSignInForm, walletSignInScript } from '@w3kit/auth';

/** What every interaction form shows and posts. */
export interface InteractionFrame {
  /** The relying party, as the operator registered it. */
  clientName: string;
  /** The host the browser returns to (from the client's registered redirect URI). */
  returnHost: string;
  csrf: string;
  /** The abort action ("Cancel"): the relying party gets access_denied. */
  abortAction: string;
}

export interface LoginView extends InteractionFrame {
  passwordAction: string;
  /** Shown when the did plugin is composed: start a wallet (VP) login. */
  vpStartAction?: string;
  /** Shown when the siwe plugin is composed: the browser wallet signs an EIP-4361 message for this nonce. */
  siwe?: { action: string; nonce: string; statement?: string };
  errors?: readonly string[];
  email?: string;
}

export interface ConsentView extends InteractionFrame {
  confirmAction: string;
  who: string;
  /** The scopes and claims asked for, in words. */
  asks: readonly string[];
}

export interface VpWaitView extends InteractionFrame {
  /** What the wallet app scans or is given: the requestId of the did plugin's website login. */
  requestId: string;
  /** The page that checks again (the browser reloads it every few seconds). */
  checkHref: string;
  waitSeconds: number;
}

function errorList(errors: readonly string[] | undefined): string {
  if (!errors || errors.length === 0) return '';
  return `<ul class="errors" role="alert">${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`;
}

const csrfField = (frame: InteractionFrame) => `<input type="hidden" name="csrf" value="${escapeHtml(frame.csrf)}">`;

function clientCard(frame: InteractionFrame): string {
  return `<div class="org"><div><b>${escapeHtml(frame.clientName)}</b><span class="muted">returns to ${escapeHtml(frame.returnHost)}</span></div></div>`;
}

function abortForm(frame: InteractionFrame, label: string): string {
  return `<form method="post" action="${escapeHtml(frame.abortAction)}">${csrfField(frame)}<button type="submit" class="link">${escapeHtml(label)}</button></form>`;
}

/** Sign in to continue to the relying party: email and password, and the wallet logins that are composed. */
export function renderLoginPage(view: LoginView): string {
  const wallet = view.vpStartAction
    ? `<details><summary>Sign in with your wallet app</summary><p class="muted">Your wallet app presents a credential this server issued to you.</p><form method="post" action="${escapeHtml(view.vpStartAction)}">${csrfField(view)}<button type="submit">Sign in with a verifiable presentation</button></form></details>`
    : '';
  const siwe = view.siwe ? walletSignInForm(view.siwe.action, csrfField(view), view.siwe, 'Sign in with Ethereum (browser wallet)') : '';
  return renderKitPage(
    `Sign in to ${view.clientName}`,
    `<h1>Sign in</h1>
${clientCard(view)}
<p class="muted">${escapeHtml(view.clientName)} asks you to sign in with your Web3Connect account.</p>
${errorList(view.errors)}
<form method="post" action="${escapeHtml(view.passwordAction)}">
${csrfField(view)}
<label for="login-email">Email or login id</label>
<input id="login-email" type="text" name="login" autocomplete="username" required maxlength="191" value="${escapeHtml(view.email ?? '')}">
<label for="login-password">Password</label>
<input id="login-password" type="password" name="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>
${wallet}
${siwe}
${abortForm(view, 'Cancel and return')}`,
    view.siwe ? walletSignInScript : '',
  );
}

/** The signed-in user allows the relying party what it asks for. */
export function renderConsentPage(view: ConsentView): string {
  const asks = view.asks.map((a) => `<li>${escapeHtml(a)}</li>`).join('');
  return renderKitPage(
    `Allow ${view.clientName}`,
    `<h1>Allow access</h1>
${clientCard(view)}
<p>Signed in as <b>${escapeHtml(view.who)}</b>.</p>
<p>${escapeHtml(view.clientName)} asks for:</p>
<ul>${asks}</ul>
<form method="post" action="${escapeHtml(view.confirmAction)}">
${csrfField(view)}
<button type="submit">Allow</button>
</form>
${abortForm(view, 'Deny')}`,
  );
}

/** Waiting for the wallet app; the page reloads itself (no script) until the login arrives. */
export function renderVpWaitPage(view: VpWaitView): string {
  return renderKitPage(
    `Sign in to ${view.clientName}`,
    `<h1>Open your wallet app</h1>
${clientCard(view)}
<p>Scan or paste this request in your wallet app and present your credential:</p>
<p class="wallet" id="vp-request-id">${escapeHtml(view.requestId)}</p>
<p class="muted">This page checks every few seconds; the request lives ${view.waitSeconds} seconds.</p>
<p><a href="${escapeHtml(view.checkHref)}">Check now</a></p>
${abortForm(view, 'Cancel and return')}`,
  );
}

/** The page node-oidc-provider asks for on RP-initiated logout: its own form, confirmed by a button. */
export function renderLogoutPage(form: string, clientName: string | undefined): string {
  return renderKitPage(
    'Sign out',
    `<h1>Sign out</h1>
<p>Sign out of Web3Connect${clientName ? ` and ${escapeHtml(clientName)}` : ''}?</p>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="link">No, stay signed in</button>`,
  );
}

/** One message: signed out, an error the relying party caused, an expired page. */
export function renderOpMessagePage(title: string, message: string): string {
  return renderKitPage(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
