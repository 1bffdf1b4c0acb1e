import type { IncomingMessage } from 'node:http';

/**
 * The values of request header `name` (lower case), in the order sent; undefined when the
 * request has none. Read from `req.rawHeaders` rather than `req.headers`, which Node builds on
 * its first read (an object, and a call per header line, joining or dropping repeats): the
 * checks every kit request makes — its `x-request-id`, whether it has a body — should not make a
 * request that needs no header (/healthz) pay for that.
 */
export function rawHeaderValues(req: IncomingMessage, name: string): string[] | undefined {
  const raw = req.rawHeaders;
  let values: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i]!;
    if (field.length === name.length && field.toLowerCase() === name) (values ??= []).push(raw[i + 1]!);
  }
  return values;
}
