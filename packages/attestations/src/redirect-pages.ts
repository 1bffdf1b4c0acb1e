import { createHash } from 'node:crypto';

/** A rendered page and the headers it must go out with. */
export interface RenderedPage {
  status: number;
  html: string;
  headers: Record<string, string>;
}

/**
 * A value as a JavaScript literal that is safe inside an inline `<script>`: JSON, with `<`,
 * `>`, `&` and the two line separators JSON allows but JavaScript did not escaped, so no value
 * can close the script element or open a comment.
 */
export function scriptLiteral(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(status: number, title: string, text: string, script?: string): RenderedPage {
  // Only this one script may run: its hash is the page's whole script allowance.
  const scriptSrc = script === undefined ? "'none'" : `'sha256-${createHash('sha256').update(script).digest('base64')}'`;
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    `<body><p>${escapeHtml(text)}</p>`,
    ...(script === undefined ? [] : [`<script>${script}</script>`]),
    '</body></html>',
  ].join('\n');
  return {
    status,
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src ${scriptSrc}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      // the URL carries the code or verifier: keep it out of caches and Referer headers
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  };
}

/**
 * The page a provider sends the browser back to, once the flow checked out: it posts
 * `message` (`facebook-code:…`, `twitter-oauth-verifier:…`) to the window that opened it, as
 * the Origin attestations document documents, and closes itself.
 */
export function openerMessagePage(provider: string, message: string, targetOrigin: string): RenderedPage {
  const script = `(function () { var message = ${scriptLiteral(message)}; if (window.opener) { window.opener.postMessage(message, ${scriptLiteral(targetOrigin)}); } window.close(); })();`;
  return page(200, `${provider} verification`, `${provider} verification is complete; you can close this window.`, script);
}

/** The page shown instead when the flow is unknown, expired, already used or cancelled; it posts nothing. */
export function flowProblemPage(provider: string, status: number, text: string): RenderedPage {
  return page(status, `${provider} verification`, text);
}
