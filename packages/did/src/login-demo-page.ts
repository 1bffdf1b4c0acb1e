import { createHash } from 'node:crypto';

/**
 * The website-login demo: a page that shows a login request as a QR code and polls for the
 * result with a script the kit serves itself. Nothing is loaded from the network: the QR code
 * is a PNG data URL made on the server, the style is inline (allowed by its hash), the script
 * comes from the kit's own origin. The Content-Security-Policy allows exactly that.
 */

/** The demo pages' style (the oid4vci offer page wears it too), inline and allowed by its hash. */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:32px 16px;background:#f3f5f9;color:#1c2230;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:440px;background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(20,30,60,.08),0 8px 24px rgba(20,30,60,.06);padding:28px}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;font-size:13px;text-transform:uppercase;margin:0 0 18px}
h1{font-size:21px;line-height:1.3;margin:0 0 8px}
p{margin:0 0 14px}
.qr{display:block;margin:8px auto 14px;width:264px;height:264px;image-rendering:pixelated}
.request{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all;background:#f1f3f5;padding:8px 10px;border-radius:6px;color:#5c6476}
.site{font-size:14px}
.unverified{color:#c92a2a;font-size:13px}
.status{font-weight:600}
.done{color:#2b8a3e}
.failed{color:#c92a2a}
[hidden]{display:none}
`;
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** The polling script, served at `<page>/app.js`. It reads everything it needs from data attributes. */
export const LOGIN_DEMO_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById('login');
  var status = document.getElementById('status');
  var user = document.getElementById('user');
  var body = JSON.stringify({ requestId: root.dataset.requestId, resultToken: root.dataset.resultToken });
  var deadline = Date.now() + Number(root.dataset.waitTime) * 1000;
  function show(text, kind) {
    status.textContent = text;
    status.className = 'status ' + (kind || '');
  }
  function poll() {
    fetch(root.dataset.resultUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body })
      .then(function (res) {
        return res.json().then(function (json) { return { status: res.status, json: json }; }, function () { return { status: res.status, json: null }; });
      })
      .then(function (r) {
        if (r.status === 200) {
          document.getElementById('qr').hidden = true;
          show('Signed in', 'done');
          user.hidden = false;
          document.getElementById('user-name').textContent = r.json.name || r.json.userId;
          document.getElementById('user-id').textContent = r.json.userId;
          return;
        }
        if (r.status === 401) {
          var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
          show('Waiting for your wallet app… (' + left + ' s)');
          setTimeout(poll, Number(root.dataset.pollMs));
          return;
        }
        show((r.json && r.json.message) || 'This login request is no longer valid; reload the page.', 'failed');
      }, function () {
        show('Connection lost; retrying…');
        setTimeout(poll, Number(root.dataset.pollMs) * 2);
      });
  }
  poll();
})();
`;

export interface LoginDemoView {
  requestId: string;
  /** The site URL the requestId names: whatever the caller of auth-user-by-app said, unverified. */
  site: string;
  resultToken: string;
  waitTime: number;
  resultUrl: string;
  scriptUrl: string;
  pollMs: number;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The standalone server's development wallet answering this request, quoted for a POSIX shell. */
export const walletCommand = (requestId: string) => `pnpm w3kit wallet login '${requestId.replace(/'/g, `'\\''`)}'`;

export async function renderLoginDemoPage(view: LoginDemoView): Promise<{ html: string; headers: Record<string, string> }> {
  // a demo page, rarely shown: qrcode is loaded on its first view, not at start
  const { toDataURL } = await import('qrcode');
  const qr = await toDataURL(view.requestId, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with your wallet app</title>
<style>${STYLE}</style>
</head>
<body>
<main id="login" data-request-id="${escape(view.requestId)}" data-result-token="${escape(view.resultToken)}" data-wait-time="${view.waitTime}" data-result-url="${escape(view.resultUrl)}" data-poll-ms="${view.pollMs}">
<p class="brand">w3kit</p>
<h1>Sign in with your wallet app</h1>
<div id="qr">
<p>Scan this code with your wallet app. It sends a Verifiable Presentation that logs you in here.</p>
<img class="qr" id="qr-image" alt="Login request QR code" src="${qr}">
<p class="site">Site named in this request: <b id="request-site">${escape(view.site)}</b><br><span class="unverified" id="site-unverified">Not verified: whoever asks for a login names any site URL here. Log in only if it is the site you are on.</span></p>
<p class="request" id="request-id">${escape(view.requestId)}</p>
<p>No wallet app? The kit's development wallet answers it from a terminal:</p>
<p class="request" id="wallet-command">${escape(walletCommand(view.requestId))}</p>
</div>
<p class="status" id="status" role="status">Waiting for your wallet app…</p>
<div id="user" hidden>
<p>Welcome, <b id="user-name"></b>.</p>
<p>User id: <span id="user-id"></span></p>
</div>
</main>
<script src="${escape(view.scriptUrl)}"></script>
</body>
</html>
`;
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  };
}
