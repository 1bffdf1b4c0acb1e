import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * `/docs`: Swagger UI (swagger-ui-dist, Apache-2.0) served from the kit's own routes, so the
 * reference works offline and under a CSP of `'self'` only. Why Swagger UI: its bundle needs no
 * inline script and no injected stylesheet (Scalar's standalone bundle injects <style> elements,
 * so it needs `style-src 'unsafe-inline'`); it has "try it" with a bearer token (Redoc has none);
 * one dependency-free package, no Node `engines` constraint, 1.7 MB of JS + 180 kB of CSS.
 */

/** The page's only script besides the bundle: a served file, so `script-src 'self'` suffices. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: 'list',
    filter: true,
    // the online validator badge would call swagger.io; the kit validates its own document in CI
    validatorUrl: null
  });
});
`;

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

const assetFiles: Record<string, { type: string; file?: string; text?: string }> = {
  'swagger-ui-bundle.js': { type: 'application/javascript; charset=utf-8', file: 'swagger-ui-bundle.js' },
  'swagger-ui.css': { type: 'text/css; charset=utf-8', file: 'swagger-ui.css' },
  'docs-init.js': { type: 'application/javascript; charset=utf-8', text: INIT_SCRIPT },
};

const cache = new Map<string, Asset>();
let distDir: string | undefined;

/** One of the page's assets by file name, or null (the only files served: no path from the URL reaches the disk). */
export function docsAsset(name: string): Asset | null {
  const spec = Object.hasOwn(assetFiles, name) ? assetFiles[name]! : undefined;
  if (!spec) return null;
  let asset = cache.get(name);
  if (!asset) {
    // read once, on first use: a kit that never serves /docs never reads the 1.7 MB bundle
    distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    const body = spec.text !== undefined ? Buffer.from(spec.text, 'utf8') : readFileSync(join(distDir, spec.file!));
    asset = { type: spec.type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    cache.set(name, asset);
  }
  return asset;
}

/** The names `docsAsset` serves, for the route's parameter schema. */
export const DOCS_ASSET_NAMES = Object.keys(assetFiles);

/**
 * The page's Content-Security-Policy. Scripts and stylesheets only from the kit itself (the
 * bundle and the init file; no inline script, no inline <style>); the bundle's React sets
 * element styles through the CSSOM, which `style-src` does not govern. Images: the stylesheet's
 * icons are data: URIs. "Try it" calls the kit itself only (`connect-src 'self'`). No framing.
 */
export const DOCS_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeAttr = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page: an empty root the bundle fills from `openapiUrl`; `assetPath` names the URL of an asset. */
export function renderDocsUiPage(title: string, openapiUrl: string, assetPath: (name: string) => string): string {
  const a = (name: string) => escapeAttr(assetPath(name));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeAttr(title)} — API reference</title>
<link rel="stylesheet" href="${a('swagger-ui.css')}">
</head><body>
<div id="swagger-ui" data-openapi="${escapeAttr(openapiUrl)}"></div>
<script src="${a('swagger-ui-bundle.js')}"></script>
<script src="${a('docs-init.js')}"></script>
</body></html>`;
}
