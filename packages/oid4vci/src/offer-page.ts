import { DEMO_PAGE_STYLE, DEMO_PAGE_STYLE_HASH } from '@w3kit/did';

/**
 * The page that shows a credential offer as a QR code, in the style of the did plugin's login
 * demo (its very style sheet). Nothing comes from the network: the QR code is a PNG data URL made
 * on the server, the style is inline and allowed by its hash, and there is no script at all.
 */

/** The page's Content-Security-Policy: its own inline style, data: images, nothing else. */
export const OFFER_PAGE_CSP = `default-src 'none'; style-src '${DEMO_PAGE_STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function renderOfferPage(credentialOffer: string, txCode: boolean): Promise<string> {
  // qrcode (and pngjs) is loaded on the first offer page, not at start (issue 17, idle RSS)
  const { toDataURL } = await import('qrcode');
  const qr = await toDataURL(credentialOffer, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Receive your credential</title>
<style>${DEMO_PAGE_STYLE}</style></head>
<body><main>
<p class="brand">w3kit</p>
<h1>Receive your credential</h1>
<p>Scan this code with your wallet app. It works once, for a few minutes.${txCode ? ' Your wallet will ask for the code we sent you.' : ''}</p>
<img class="qr" id="offer-qr" alt="QR code of the credential offer" src="${qr}">
<p class="request" id="offer-link">${escape(credentialOffer)}</p>
</main></body></html>`;
}
