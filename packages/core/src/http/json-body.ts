import type { Context } from 'koa';
import { coreErrors } from '../errors.js';
import { hasBody, readBodyText } from './body-text.js';

/**
 * Reads the JSON body of a request. A body the host application already parsed
 * (`ctx.request.body`, as @koa/bodyparser or koa-body leave it) is used as it is.
 * Otherwise the body is read here with a size limit: wrong content type → 415,
 * too large → 413, invalid UTF-8 or JSON → 400. A request without a body yields `undefined`.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const preParsed = (ctx.request as { body?: unknown }).body;
  if (preParsed !== undefined) return preParsed;
  if (!hasBody(ctx)) return undefined;
  if (!ctx.is('application/json', '+json')) throw coreErrors.create('UNSUPPORTED_MEDIA_TYPE');
  const text = await readBodyText(ctx, limitBytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw coreErrors.create('INVALID_JSON');
  }
}
