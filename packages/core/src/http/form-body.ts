import type { Context } from 'koa';
import { coreErrors } from '../errors.js';
import { hasBody, readBodyText } from './body-text.js';

/**
 * Reads an HTML form post (`application/x-www-form-urlencoded`) for a `raw` route that serves
 * pages; route schemas only read JSON. Returns the first value of each field, in an object
 * without a prototype (a field named `__proto__` is just a field). A body the host already
 * parsed is used as it is (its string values). Otherwise: wrong content type → 415, too large
 * → 413, invalid UTF-8 → 400; a request without a body yields `{}`.
 */
export async function readFormBody(ctx: Context, limitBytes: number): Promise<Record<string, string>> {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const add = (name: string, value: unknown) => {
    const first = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof first === 'string' && !Object.hasOwn(fields, name)) fields[name] = first;
  };
  const preParsed = (ctx.request as { body?: unknown }).body;
  if (preParsed !== undefined) {
    if (preParsed !== null && typeof preParsed === 'object' && !Array.isArray(preParsed)) {
      for (const [name, value] of Object.entries(preParsed)) add(name, value);
    }
    return fields;
  }
  if (!hasBody(ctx)) return fields;
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw coreErrors.create('UNSUPPORTED_MEDIA_TYPE', { message: 'The request body must be application/x-www-form-urlencoded.' });
  }
  for (const [name, value] of new URLSearchParams(await readBodyText(ctx, limitBytes))) add(name, value);
  return fields;
}
