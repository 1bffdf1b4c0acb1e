import type { Context } from 'koa';
import { coreErrors } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hasBody(ctx: Context): boolean {
  const headers = ctx.req.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

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
  const declared = Number(ctx.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    ctx.req.resume(); // drain, so the connection can answer
    throw coreErrors.create('PAYLOAD_TOO_LARGE', { details: { limit_bytes: limitBytes } });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      ctx.req.resume();
      throw coreErrors.create('PAYLOAD_TOO_LARGE', { details: { limit_bytes: limitBytes } });
    }
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks));
  } catch {
    throw coreErrors.create('INVALID_ENCODING');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw coreErrors.create('INVALID_JSON');
  }
}
