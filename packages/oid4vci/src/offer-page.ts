import { createHash } from 'node:crypto';
import QRCode from 'qrcode';

/**
 * The page that shows a credential offer as a QR code, in the style of the did plugin's login
 * demo. Nothing comes from the network: the QR code is a PNG data URL made on the server, the
 * style is inline and allowed by its hash, and there is no script at all.
 */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:32px 16px;background:#f3f5f9;color:#1c2230;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{width:100%;max-width:440px;background:#fff;border-radius:14px;box-shadow:0 1px 3px rgba(20,30,60,.08),0 8px 24px rgba(20,30,60,.06);padding:28px}
.brand{font-weight:700;letter-spacing:.02em;color:#3b5bdb;font-size:13px;text-transform:uppercase;margin:0 0 18px}
h1{font-size:21px;line-height:1.3;margin:0 0 8px}
p{margin:0 0 14px}
.qr{display:block;margin:8px auto 14px;width:264px;height:264px;image-rendering:pixelated}
.offer{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;word-break:break-all;background:#f1f3f5;padding:8px 10px;border-radius:6px;color:#5c6476}
`;
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** The page's Content-Security-Policy: its own inline style, data: images, nothing else. */
export const OFFER_PAGE_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function renderOfferPage(credentialOffer: string, txCode: boolean): Promise<string> {
  const qr = await QRCode.toDataURL(credentialOffer, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Receive your credential</title>
<style>${STYLE}</style></head>
<body><main>
<p class="brand">w3kit</p>
<h1>Receive your credential</h1>
<p>Scan this code with your wallet app. It works once, for a few minutes.${txCode ? ' Your wallet will ask for the code we sent you.' : ''}</p>
<img class="qr" id="offer-qr" alt="QR code of the credential offer" src="${qr}">
<p class="offer" id="offer-link">${escape(credentialOffer)}</p>
</main></body></html>`;
}
