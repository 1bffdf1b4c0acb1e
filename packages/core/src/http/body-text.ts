import type { Context } from 'koa';
import { coreErrors } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the request announces a body (a positive content-length or a chunked transfer). */
export function hasBody(ctx: Context): boolean {
  const headers = ctx.req.headers;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * Reads the request body as UTF-8 text, refusing it as soon as it passes the limit:
 * too large (declared or streamed) → 413, invalid UTF-8 → 400.
 */
export async function readBodyText(ctx: Context, limitBytes: number): Promise<string> {
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
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw coreErrors.create('INVALID_ENCODING');
  }
}

/**
 * Reads and drops a body the route has no use for, up to the limit (413 past it). A body left
 * unread would have Node close the connection under a long answer still being written; read,
 * the answer goes out whole, and an oversized one is refused before any work.
 */
export async function discardBody(ctx: Context, limitBytes: number): Promise<void> {
  const declared = Number(ctx.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    ctx.req.resume();
    throw coreErrors.create('PAYLOAD_TOO_LARGE', { details: { limit_bytes: limitBytes } });
  }
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      ctx.req.resume();
      throw coreErrors.create('PAYLOAD_TOO_LARGE', { details: { limit_bytes: limitBytes } });
    }
  }
}
