import type { Context } from 'koa';
import { jsonErrorPosition } from './json-error-position.js';
import { coreErrors } from '../errors.js';
import { hasBody, readBodyText } from './body-text.js';

/**
 * How deep a JSON body may nest. Real bodies (credentials with inline contexts and proofs
 * included) stay far below; a body of thousands of levels would overflow the stack of the
 * recursive code that handles it (schema defaults, cloning, canonicalization), a 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests deeper than `limit` arrays and objects (iterative: no stack to overflow). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

function checkDepth(body: unknown): unknown {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw coreErrors.create('JSON_TOO_DEEP', { details: { max_depth: MAX_JSON_DEPTH } });
  return body;
}

/** `application/json` (any parameters) or a `+json` type; the plain header skips type-is's parsing. */
function isJsonType(ctx: Context): boolean {
  const type = ctx.req.headers['content-type'];
  if (type === 'application/json' || type === 'application/json; charset=utf-8') return true;
  return typeof ctx.is('application/json', '+json') === 'string';
}

/**
 * Reads the JSON body of a request. A body the host application already parsed
 * (`ctx.request.body`, as @koa/bodyparser or koa-body leave it) is used as it is.
 * Otherwise the body is read here with a size limit: wrong content type → 415,
 * too large → 413, invalid UTF-8 or JSON → 400, nested deeper than {@link MAX_JSON_DEPTH} → 400
 * (a pre-parsed body too). A request without a body yields `undefined`.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const preParsed = (ctx.request as { body?: unknown }).body;
  if (preParsed !== undefined) return checkDepth(preParsed);
  if (!hasBody(ctx)) return undefined;
  if (!isJsonType(ctx)) throw coreErrors.create('UNSUPPORTED_MEDIA_TYPE');
  const text = await readBodyText(ctx, limitBytes);
  if (text.trim() === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const where = jsonErrorPosition(text);
    const what = where.position >= text.length ? 'it ends too early' : `an unexpected ${JSON.stringify(text[where.position])}`;
    throw coreErrors.create('INVALID_JSON', { message: `The request body is not valid JSON (${what} at line ${where.line}, column ${where.column}, position ${where.position}).`, details: where });
  }
  return checkDepth(body);
}
