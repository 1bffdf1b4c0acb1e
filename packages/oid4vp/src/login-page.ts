import { createHash } from 'node:crypto';

/**
 * The OID4VP login page: a cross-device request as a QR code, or (`?flow=same_device`) a link
 * that opens the wallet on this device and comes back here. Its script polls (cross-device) or
 * collects with the `response_code` of the redirect (same-device). Everything is the kit's own:
 * no external script, style or image, and the Content-Security-Policy says so.
 */

const CSS = `body{font:15px/1.5 system-ui,sans-serif;background:#f4f6fa;color:#1d2433;margin:0;padding:32px 16px}
section{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;box-shadow:0 4px 20px rgba(20,30,60,.08)}
h1{font-size:20px;margin:0 0 10px}
img{display:block;width:260px;height:260px;margin:10px auto;image-rendering:pixelated}
a.wallet{display:block;text-align:center;background:#3b5bdb;color:#fff;padding:10px;border-radius:8px;text-decoration:none}
code{display:block;font-size:11px;word-break:break-all;background:#f1f3f5;padding:6px;border-radius:6px;color:#5c6476}
.ok{color:#2b8a3e;font-weight:600}.bad{color:#c92a2a;font-weight:600}[hidden]{display:none}`;
const CSS_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

/** Served at `<page>/app.js`; reads what it needs from the `data-` attributes of `#oid4vp`. */
export const LOGIN_PAGE_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById('oid4vp');
  var status = document.getElementById('status');
  var key = 'w3kit-oid4vp';
  function say(text, kind) { status.textContent = text; status.className = kind || ''; }
  function signedIn(login) {
    document.getElementById('request').hidden = true;
    document.getElementById('user').hidden = false;
    document.getElementById('user-id').textContent = login.userId;
    say('Signed in', 'ok');
  }
  function collect(body, again) {
    fetch(root.dataset.resultUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { return { status: res.status, json: json }; }); })
      .then(function (r) {
        if (r.status === 200) return signedIn(r.json);
        if (r.status === 401 && r.json.code === 'LOGIN_PENDING' && again) { say('Waiting for your wallet…'); return setTimeout(function () { collect(body, again); }, Number(root.dataset.pollMs)); }
        say(r.json.message || 'This login is no longer valid; reload the page.', 'bad');
      }, function () { say('Connection lost; reload the page.', 'bad'); });
  }
  var code = /[#&]response_code=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (code) {
    var saved = JSON.parse(sessionStorage.getItem(key) || 'null');
    history.replaceState(null, '', location.pathname + location.search);
    if (!saved) return say('This browser did not start this login.', 'bad');
    sessionStorage.removeItem(key);
    return collect({ transaction_id: saved.t, result_token: saved.r, response_code: code[1] }, false);
  }
  var body = { transaction_id: root.dataset.transactionId, result_token: root.dataset.resultToken };
  if (root.dataset.flow === 'same_device') {
    document.getElementById('wallet').addEventListener('click', function () { sessionStorage.setItem(key, JSON.stringify({ t: body.transaction_id, r: body.result_token })); });
    return;
  }
  collect(body, true);
})();
`;

export interface LoginPageView {
  flow: 'cross_device' | 'same_device';
  authorizationRequest: string;
  transactionId: string;
  resultToken: string;
  resultUrl: string;
  scriptUrl: string;
  /** The verifier's client id, as the wallet will show it. */
  clientId: string;
  pollMs: number;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function renderLoginPage(view: LoginPageView): Promise<{ html: string; headers: Record<string, string> }> {
  // qrcode (and pngjs) is loaded on the first login page, not at start (issue 17, idle RSS)
  const { toDataURL } = await import('qrcode');
  const request =
    view.flow === 'cross_device'
      ? `<p>Scan this code with your wallet. It shows who asks: <b>${escapeHtml(view.clientId)}</b>.</p>
<img id="qr" alt="OpenID4VP request QR code" src="${await toDataURL(view.authorizationRequest, { errorCorrectionLevel: 'M', margin: 2, scale: 5 })}">`
      : `<p>Open your wallet on this device; it brings you back here.</p>
<a class="wallet" id="wallet" href="${escapeHtml(view.authorizationRequest)}">Open wallet</a>`;
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in with a credential</title><style>${CSS}</style></head>
<body>
<section id="oid4vp" data-flow="${view.flow}" data-transaction-id="${escapeHtml(view.transactionId)}" data-result-token="${escapeHtml(view.resultToken)}" data-result-url="${escapeHtml(view.resultUrl)}" data-poll-ms="${view.pollMs}">
<h1>Sign in with your wallet</h1>
<div id="request">${request}
<code id="authorization-request">${escapeHtml(view.authorizationRequest)}</code></div>
<p id="status" role="status">Waiting for your wallet…</p>
<p id="user" hidden>Signed in as <b id="user-id"></b>.</p>
</section>
<script src="${escapeHtml(view.scriptUrl)}"></script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:; style-src '${CSS_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  };
}
