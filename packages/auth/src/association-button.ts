/** Size of the association popup, in CSS pixels. */
const POPUP = { width: 480, height: 720 };

/**
 * A value as a JavaScript literal that is safe inside an HTML `<script>` element: JSON, with
 * `<`, `>`, `&` and the two line separators escaped, so no value can close the element
 * (`</script>`), open a comment or end a string literal.
 */
export function scriptLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The Web3Connect document's `globalWeb3ConnectButtonOnClick()`: opens the association page in a centred popup
 * named `web3connect` (clicking again reuses it), or, when a popup blocker returns null,
 * navigates the current window there instead. ES5 only, no dependencies: it runs in whatever
 * page the organization embeds it in.
 */
export function renderButtonJs(pageUrl: string): string {
  return [
    'function globalWeb3ConnectButtonOnClick() {',
    `  var url = ${scriptLiteral(pageUrl)};`,
    `  var width = ${POPUP.width}, height = ${POPUP.height};`,
    '  var left = Math.max(0, Math.round((window.screenX || 0) + ((window.outerWidth || width) - width) / 2));',
    '  var top = Math.max(0, Math.round((window.screenY || 0) + ((window.outerHeight || height) - height) / 2));',
    '  var popup = window.open(url, "web3connect", "popup,width=" + width + ",height=" + height + ",left=" + left + ",top=" + top);',
    '  if (popup) { popup.focus(); } else { window.location.href = url; }',
    '}',
  ].join('\n');
}
