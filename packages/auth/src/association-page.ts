import { createHash } from 'node:crypto';
import type { AssociatingUser } from './association-service.js';

/** What every form view of the association page shows and posts. */
export interface AssociationFrame {
  organization: { name: string; domain: string };
  /** The host the end user returns to after confirming. */
  returnHost: string;
  /** The ticket, posted back in a hidden field. */
  token: string;
  csrf: string;
  actions: { signIn: string; signUp: string; verifyEmail: string; signOut: string; confirm: string; signInWallet: string };
  /** The page itself, for a link back to the sign-in form. */
  pageHref: string;
}

export interface SignInView extends AssociationFrame {
  /** Which form is open; the other is folded. Default sign-in. */
  open?: 'sign-in' | 'sign-up';
  errors?: readonly string[];
  /** Values to put back into the form (never the password). */
  values?: { email?: string; name?: string };
  /** "Sign in with your wallet", when the siwe plugin is composed: a fresh nonce, and the statement to sign when one is required. */
  wallet?: { nonce: string; statement?: string } | null;
}

export interface ConfirmView extends AssociationFrame {
  user: AssociatingUser;
  errors?: readonly string[];
}

export interface CodeView extends AssociationFrame {
  /** Where the code went (only shown, and posted back to be shown again); the same page for a new and a taken address. */
  email: string;
  /** The code's handle, posted back with the code. */
  pending: string;
  errors?: readonly string[];
}

export interface MessageView {
  title: string;
  message: string;
  /** A link back to the page, when there is one to go back to. */
  retryHref?: string;
}

// One static style sheet: the Content-Security-Policy allows exactly it, by hash, and no script.
const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:32px 16px;background:#f3f5f9;color:#1c2230;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:420px;background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(20,30,60,.08),0 8px 24px rgba(20,30,60,.06);padding:28px 28px 24px}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;font-size:13px;text-transform:uppercase;margin:0 0 18px}
h1{font-size:21px;line-height:1.3;margin:0 0 8px}
p{margin:0 0 14px}
.org{display:flex;align-items:center;gap:12px;padding:12px 14px;border:1px solid #e3e7ef;border-radius:10px;margin:0 0 18px;background:#fafbfd}
.org b{display:block;font-size:16px}
.verified{color:#2b8a3e;font-size:13px}
.muted{color:#5c6476;font-size:13px}
form{margin:0}
label{display:block;font-weight:600;font-size:13px;margin:12px 0 4px}
input[type=email],input[type=password],input[type=text]{width:100%;padding:10px 12px;border:1px solid #c9cfdb;border-radius:8px;font:inherit;background:#fff}
input:focus{outline:2px solid #91a7ff;border-color:#5c7cfa}
button{width:100%;margin-top:18px;padding:11px 14px;border:0;border-radius:8px;background:#3b5bdb;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#364fc7}
button.link{background:none;color:#3b5bdb;margin-top:10px;padding:6px;font-weight:500}
details{margin-top:22px;border-top:1px solid #e3e7ef;padding-top:16px}
summary{cursor:pointer;font-weight:600;color:#3b5bdb}
.errors{margin:0 0 14px;padding:10px 14px;border-radius:8px;background:#fff5f5;border:1px solid #ffc9c9;color:#c92a2a;list-style:none}
.wallet{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:13px;word-break:break-all;background:#f1f3f5;padding:8px 10px;border-radius:6px}
`;
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/**
 * The one script, on the sign-in page only when the wallet form is there (allowed by its hash):
 * asks the injected EIP-1193 wallet (window.ethereum) for its account and chain, builds the
 * EIP-4361 message for this page's origin with the nonce the server rendered, has the wallet sign
 * it (personal_sign) and posts message and signature with the form. The server checks everything.
 */
const WALLET_SCRIPT = `(function () {
  var form = document.getElementById('wallet-form');
  var button = document.getElementById('wallet-button');
  if (!form || !button) return;
  var eth = window.ethereum;
  if (!eth || typeof eth.request !== 'function') { button.disabled = true; button.textContent = 'No wallet found in this browser'; return; }
  function hex(text) {
    var bytes = new TextEncoder().encode(text), out = '0x';
    for (var i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, '0');
    return out;
  }
  button.addEventListener('click', function () {
    button.disabled = true;
    eth.request({ method: 'eth_requestAccounts' }).then(function (accounts) {
      return eth.request({ method: 'eth_chainId' }).then(function (chainId) {
        var address = accounts[0];
        var statement = form.getAttribute('data-statement');
        var message = location.protocol + '//' + location.host + ' wants you to sign in with your Ethereum account:\\n' + address + '\\n\\n' +
          (statement ? statement + '\\n\\n' : '') +
          'URI: ' + location.origin + location.pathname + '\\nVersion: 1\\nChain ID: ' + parseInt(chainId, 16) +
          '\\nNonce: ' + form.getAttribute('data-nonce') + '\\nIssued At: ' + new Date().toISOString();
        return eth.request({ method: 'personal_sign', params: [hex(message), address] }).then(function (signature) {
          form.elements.namedItem('message').value = message;
          form.elements.namedItem('signature').value = signature;
          form.submit();
        });
      });
    }).catch(function () { button.disabled = false; button.textContent = 'The wallet did not sign; try again'; });
  });
})();`;
const SCRIPT_HASH = `sha256-${createHash('sha256').update(WALLET_SCRIPT).digest('base64')}`;

/**
 * The signed message and signature a posted `walletSignInForm` carries. A browser posts every
 * line break of a form field as CRLF (HTML form submission normalizes them); an EIP-4361
 * message has LF only, and the wallet signed it so.
 */
export function postedWalletSignIn(form: Record<string, string>): { message: string; signature: string } {
  return { message: (form['message'] ?? '').replace(/\r\n/g, '\n'), signature: form['signature'] ?? '' };
}

/** The wallet script, for a kit page that shows `walletSignInForm` (its headers: `pageHeaders(…, { walletScript: true })`). */
export const walletSignInScript = WALLET_SCRIPT;

/**
 * "Sign in with your wallet": the form the wallet script fills with the signed EIP-4361 message
 * (for the nonce the server issued for this page) and posts to `action`. `hidden` is the page's
 * own hidden fields (CSRF token…), HTML the caller built.
 */
export function walletSignInForm(action: string, hidden: string, wallet: { nonce: string; statement?: string }, label = 'Sign in with your wallet'): string {
  return `<form method="post" action="${escapeHtml(action)}" id="wallet-form" data-nonce="${escapeHtml(wallet.nonce)}"${wallet.statement === undefined ? '' : ` data-statement="${escapeHtml(wallet.statement)}"`}>
${hidden}
<input type="hidden" name="message"><input type="hidden" name="signature">
<button type="button" id="wallet-button" class="link">${escapeHtml(label)}</button>
</form>`;
}

/**
 * Headers of every association page: no script at all, only our own style sheet, forms that
 * post only to this page (and, for the confirmation, whose redirect goes to `formTargets`), no
 * framing (clickjacking), no referrer (the URL holds the ticket), no caching.
 */
export function pageHeaders(formTargets: readonly string[] = [], options: { walletScript?: boolean } = {}): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(' ');
  const script = options.walletScript ? `; script-src '${SCRIPT_HASH}'` : '';
  return {
    'content-security-policy': `default-src 'none'; style-src '${STYLE_HASH}'${script}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value as HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A whole page in the kit's style around `body` (HTML the caller escaped); other plugins' pages use it too. */
export function layout(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Web3Connect</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="brand">Web3Connect</p>
${body}
</main>${script ? `\n<script>${script}</script>` : ''}
</body>
</html>
`;
}

function errorList(errors: readonly string[] | undefined): string {
  if (!errors || errors.length === 0) return '';
  return `<ul class="errors" role="alert">${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`;
}

function hiddenFields(frame: AssociationFrame): string {
  return `<input type="hidden" name="token" value="${escapeHtml(frame.token)}"><input type="hidden" name="csrf" value="${escapeHtml(frame.csrf)}">`;
}

function organizationCard(frame: AssociationFrame): string {
  return `<div class="org"><div><b>${escapeHtml(frame.organization.name)}</b><span class="verified">✓ verified domain ${escapeHtml(frame.organization.domain)}</span></div></div>`;
}

/** Sign in with email and password, or create an account (name, email, password). */
export function renderSignInPage(view: SignInView): string {
  const signUpOpen = view.open === 'sign-up';
  const email = escapeHtml(view.values?.email ?? '');
  const signIn = `<form method="post" action="${escapeHtml(view.actions.signIn)}">
${hiddenFields(view)}
<label for="sign-in-email">Email</label>
<input id="sign-in-email" type="email" name="email" autocomplete="email" required value="${signUpOpen ? '' : email}">
<label for="sign-in-password">Password</label>
<input id="sign-in-password" type="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`;
  const signUp = `<details${signUpOpen ? ' open' : ''}>
<summary>New to Web3Connect? Create an account</summary>
<form method="post" action="${escapeHtml(view.actions.signUp)}">
${hiddenFields(view)}
<label for="sign-up-name">Name</label>
<input id="sign-up-name" type="text" name="name" autocomplete="name" required maxlength="191" value="${escapeHtml(view.values?.name ?? '')}">
<label for="sign-up-email">Email</label>
<input id="sign-up-email" type="email" name="email" autocomplete="email" required value="${signUpOpen ? email : ''}">
<label for="sign-up-password">Password (at least 8 characters)</label>
<input id="sign-up-password" type="password" name="password" autocomplete="new-password" required minlength="8">
<button type="submit">Create account and ID wallet</button>
</form>
</details>`;
  const wallet = view.wallet ? walletSignInForm(view.actions.signInWallet, hiddenFields(view), view.wallet) : '';
  return layout(
    `Connect to ${view.organization.name}`,
    `<h1>Connect your ID wallet</h1>
${organizationCard(view)}
<p class="muted">${escapeHtml(view.organization.name)} asks for your ID wallet address. It will not see your email or password. Afterwards you return to ${escapeHtml(view.returnHost)}.</p>
${errorList(view.errors)}
${signIn}
${wallet}
${signUp}`,
    view.wallet ? WALLET_SCRIPT : '',
  );
}

/** The signed-in end user confirms; the organization then receives the ID wallet address. */
export function renderConfirmPage(view: ConfirmView): string {
  const who = view.user.name ? `${view.user.name} (${view.user.email ?? ''})` : (view.user.email ?? 'your wallet');
  const wallet = view.user.walletAddress ? `<p>Your ID wallet address:</p><p class="wallet">${escapeHtml(view.user.walletAddress)}</p>` : '<p>An ID wallet will be created for you.</p>';
  return layout(
    `Connect to ${view.organization.name}`,
    `<h1>Confirm the connection</h1>
${organizationCard(view)}
${errorList(view.errors)}
<p>Signed in as <b>${escapeHtml(who)}</b>.</p>
${wallet}
<p class="muted">${escapeHtml(view.organization.name)} will receive your ID wallet address only. You will return to ${escapeHtml(view.returnHost)}.</p>
<form method="post" action="${escapeHtml(view.actions.confirm)}">
${hiddenFields(view)}
<button type="submit">Connect my ID wallet</button>
</form>
<form method="post" action="${escapeHtml(view.actions.signOut)}">
${hiddenFields(view)}
<button type="submit" class="link">Use another account</button>
</form>`,
  );
}

/** After a sign-up: enter the code emailed to the address. */
export function renderCodePage(view: CodeView): string {
  return layout(
    `Connect to ${view.organization.name}`,
    `<h1>Check your email</h1>
${organizationCard(view)}
${errorList(view.errors)}
<p>We sent an email to <b>${escapeHtml(view.email)}</b>. Enter the 6-digit code from it to create your account.</p>
<p class="muted">If you already have an account with this address, the email says so: sign in instead.</p>
<form method="post" action="${escapeHtml(view.actions.verifyEmail)}">
${hiddenFields(view)}
<input type="hidden" name="pending" value="${escapeHtml(view.pending)}"><input type="hidden" name="email" value="${escapeHtml(view.email)}">
<label for="sign-up-code">Code</label>
<input id="sign-up-code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9]{6}" maxlength="6">
<button type="submit">Verify email and create account</button>
</form>
<p><a href="${escapeHtml(view.pageHref)}">Back to sign-in</a></p>`,
  );
}

/** A page with one message: an expired link, a refused form, too many tries. */
export function renderMessagePage(view: MessageView): string {
  const retry = view.retryHref ? `<p><a href="${escapeHtml(view.retryHref)}">Back</a></p>` : '';
  return layout(view.title, `<h1>${escapeHtml(view.title)}</h1>\n<p>${escapeHtml(view.message)}</p>\n${retry}`);
}
