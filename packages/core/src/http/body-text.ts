import type { Context } from 'koa';
import { coreErrors } from '../errors.js';
import { rawHeaderValues } from './raw-headers.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the request announces a body (a positive content-length or a chunked transfer). */
export function hasBody(ctx: Context): boolean {
  if (rawHeaderValues(ctx.req, 'transfer-encoding')) return true;
  // the first, as Node keeps it (its parser refuses a request with two that differ)
  const length = Number(rawHeaderValues(ctx.req, 'content-length')?.[0]);
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
  const body = await readChunks(ctx, limitBytes, true);
  try {
    return utf8.decode(body);
  } catch {
    throw coreErrors.create('INVALID_ENCODING');
  }
}

/**
 * The request's bytes (kept only when `keep`), by stream events rather than async iteration,
 * which costs a promise per chunk; past `limitBytes` the rest is drained and 413 thrown.
 */
function readChunks(ctx: Context, limitBytes: number, keep: boolean): Promise<Buffer> {
  const req = ctx.req;
  return new Promise((resolve, reject) => {
    // Read to its end already (by the host): nothing more will come, as async iteration would say.
    if (req.readableEnded) return resolve(Buffer.alloc(0));
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        done();
        req.resume();
        reject(coreErrors.create('PAYLOAD_TOO_LARGE', { details: { limit_bytes: limitBytes } }));
        return;
      }
      if (!keep) return;
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(more ? Buffer.concat(more) : (first ?? Buffer.alloc(0)));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    // An aborted request emits 'close' but never 'end' (async iteration's error, the same code).
    const onClose = () => {
      done();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    function done() {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    }
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
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
  await readChunks(ctx, limitBytes, false);
}
