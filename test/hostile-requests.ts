import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';

/**
 * Hostile HTTP requests for the fuzz tests: every operation of the kit's OpenAPI document,
 * a valid-looking request generated from its schemas, then one malformation of it (wrong types,
 * missing and extra fields, huge strings, deep nesting, invalid UTF-8, wrong content types, bad
 * path and query params, garbage tokens, duplicated keys, numbers out of range, control
 * characters, SQL-ish strings). And the checks every answer must pass.
 */

/** The part of JSON Schema the route schemas use (TypeBox's output). */
export interface JsonSchema {
  type?: string;
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}

export type WireFormatName = 'web3connect' | 'origin' | 'finenex' | 'oauth';

/** One operation of the OpenAPI document, as the fuzzer needs it. */
export interface Operation {
  /** `POST /rest/v1/nft/{token_id}/visibility` */
  key: string;
  method: string;
  template: string;
  format: WireFormatName;
  /** The handler writes its own body (HTML pages): its errors may be an HTML page too. */
  raw: boolean;
  bearer: boolean;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; schema: JsonSchema; required: boolean }[];
  body: JsonSchema | undefined;
}

interface OpenApiOperation {
  'x-w3kit-format': WireFormatName;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  security?: unknown[];
  responses: Record<string, { content?: unknown }>;
  'x-w3kit-raw'?: boolean;
}

/** Every operation of an OpenAPI document built by the kit. */
export function operationsOf(doc: Record<string, unknown>): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(doc['paths'] as Record<string, Record<string, OpenApiOperation>>)) {
    for (const [method, op] of Object.entries(methods)) {
      operations.push({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        format: op['x-w3kit-format'],
        raw: op['x-w3kit-raw'] === true,
        bearer: (op.security?.length ?? 0) > 0,
        pathParams: op.parameters.filter((p) => p.in === 'path').map(({ name, schema }) => ({ name, schema })),
        queryParams: op.parameters.filter((p) => p.in === 'query').map(({ name, schema, required }) => ({ name, schema, required })),
        body: op.requestBody?.content['application/json'].schema,
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------- valid values from schemas

/**
 * Values that satisfy a schema (mostly: an email or a pattern may come out stricter server-side).
 * `hints` are known-good values by property name (a real phone number, login, NFT metadata):
 * three times in four a property takes one of those, so requests get past the first checks.
 */
export function valueOf(schema: JsonSchema, hints: Record<string, unknown[]> = {}): fc.Arbitrary<unknown> {
  const of = (s: JsonSchema) => valueOf(s, hints);
  const property = (name: string, s: JsonSchema) => (hints[name]?.length ? fc.oneof({ arbitrary: fc.constantFrom(...hints[name]), weight: 3 }, { arbitrary: of(s), weight: 1 }) : of(s));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(of));
  switch (schema.type) {
    case 'object': {
      const record = fc.record(Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, s]) => [name, property(name, s)])), { requiredKeys: schema.required ?? [] });
      const each = schema.patternProperties ? Object.values(schema.patternProperties)[0] : undefined;
      if (!each) return record;
      return fc.tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), of(each), { maxKeys: 3 })).map(([fixed, free]) => ({ ...free, ...fixed }));
    }
    case 'array': {
      const min = schema.minItems ?? 0;
      return fc.array(of(schema.items ?? {}), { minLength: min, maxLength: Math.max(min, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const max = Math.min(schema.maxLength ?? 40, 40);
  const min = Math.min(schema.minLength ?? 0, max);
  const fits = (s: string) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity);
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { size: 'small' }).filter(fits);
  switch (schema.format) {
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'uri':
      return fc.webUrl().filter(fits);
    case 'date-time':
      return fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
    default:
      return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  }
}

// ---------------------------------------------------------------- the request on the wire

/** One request exactly as it goes out. */
export interface HostileRequest {
  /** Which malformation, for the failure message. */
  mutation: string;
  method: string;
  /** Path and query string, already encoded (or deliberately mis-encoded). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send with node:http as given (invalid UTF-8, broken content types, malformed escapes). */
  raw: boolean;
}

export interface WireResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Sends a request to the listening server at `base`. */
export async function send(base: string, req: HostileRequest): Promise<WireResponse> {
  if (req.raw) return sendRaw(base, req);
  const agent = request(base);
  const test = agent[req.method.toLowerCase() as 'get'](req.url)
    .timeout(10_000)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done(null, text));
    });
  for (const [name, value] of Object.entries(req.headers)) test.set(name, value);
  const res = await (req.body === undefined ? test : test.send(req.body.toString('utf8')));
  return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), text: res.body as string };
}

function sendRaw(base: string, req: HostileRequest): Promise<WireResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: hostname, port, method: req.method, path: req.url, headers: req.headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in 10 s to ${req.method} ${req.url}`)));
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

// ---------------------------------------------------------------- what every answer must be

const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

/**
 * Why an answer breaks the rules, or null: never a 5xx, never a stack trace; an error body in
 * the route's wire format (an HTML page allowed for routes that render pages); a Web3Connect
 * success in its envelope.
 */
export function answerProblem(op: Operation, res: WireResponse): string | null {
  if (res.status >= 500) return `a ${res.status}`;
  if (STACK_TRACE.test(res.text)) return 'a stack trace in the body';
  if (res.status < 400) {
    if (op.format !== 'web3connect' || op.raw || res.status === 204 || res.status >= 300) return null;
    const body = parseJson(res.text) as Record<string, unknown> | undefined;
    return body?.['status'] === 'ok' && body['error'] === null && 'result' in body ? null : 'a success outside the {status:"ok"} envelope';
  }
  if (op.raw && /^text\/html\b/.test(res.contentType)) return res.text.includes('<html') ? null : 'an empty HTML error page';
  if (!/^application\/json\b/.test(res.contentType)) return `an error with content-type "${res.contentType}"`;
  return errorShapeProblem(op.format, res.status, parseJson(res.text));
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether an error body is the wire format's error body; see packages/core/src/http/wire-formats.ts. */
export function errorShapeProblem(format: WireFormatName, status: number, body: unknown): string | null {
  if (!isObject(body)) return 'an error body that is not a JSON object';
  switch (format) {
    case 'web3connect': {
      const error = body['error'];
      const ok = body['status'] === 'error' && body['result'] === null && isObject(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string';
      return ok ? null : 'not the Web3Connect error envelope';
    }
    case 'origin': {
      const errors = body['errors'];
      const ok = Object.keys(body).length === 1 && Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof e === 'string');
      return ok ? null : 'not the Origin {errors:[…]} body';
    }
    case 'finenex': {
      const ok = body['status'] === status && typeof body['error'] === 'string' && typeof body['code'] === 'string' && typeof body['message'] === 'string' && typeof body['path'] === 'string';
      return ok ? null : 'not the Finenex error body';
    }
    case 'oauth': {
      const ok =
        typeof body['error'] === 'string' && /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(body['error']) && (body['error_description'] === undefined || typeof body['error_description'] === 'string');
      return ok ? null : 'not the OAuth {error, error_description} body';
    }
  }
}

// ---------------------------------------------------------------- malformations

/**
 * Known-good values, so malformed requests reach deeper code: path params by name (real
 * addresses and token ids), body properties by name (a real login, phone number, metadata),
 * and the bearer tokens of real accounts.
 */
export interface Fixtures {
  params: Record<string, string[]>;
  fields: Record<string, unknown[]>;
  /** Query values by name, for query strings the schemas do not declare (the association page's `token`). */
  query: Record<string, string[]>;
  bearers: string[];
}

interface Base {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  authorization: string | undefined;
}

type Path = (string | number)[];

/** Every path into a JSON value, the root (`[]`) included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const paths: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...at, i])));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...at, k]));
  return paths;
}

const valueAt = (value: unknown, path: Path): unknown => path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);

/** A copy of `value` with `next` at `path` (objects on the way that are missing are created). */
function setAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const copy = (typeof value === 'object' && value !== null ? structuredClone(value) : {}) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1)!] = next;
  return copy;
}

function deleteAt(value: unknown, path: Path): unknown {
  if (path.length === 0) return undefined;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  if (Array.isArray(node)) node.splice(Number(path.at(-1)), 1);
  else delete node[path.at(-1)!];
  return copy;
}

/** Where the body schema allows a string with a maximum length: its path and that length. */
function boundedStrings(schema: JsonSchema, at: Path = []): { path: Path; maxLength: number }[] {
  if (schema.anyOf) return schema.anyOf.flatMap((member) => boundedStrings(member, at));
  if (schema.type === 'string' && schema.maxLength !== undefined && !schema.pattern && !schema.format) return [{ path: at, maxLength: schema.maxLength }];
  if (schema.type !== 'object') return [];
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => boundedStrings(property, [...at, name]));
}

const PLACEHOLDER = '\u0000w3kit-fuzz\u0000';

/** The JSON text of `value` with the value at `path` replaced by raw bytes (not necessarily JSON). */
function spliceRaw(value: unknown, path: Path, raw: Buffer | string): Buffer {
  const text = JSON.stringify(setAt(value, path, PLACEHOLDER));
  const [before, after] = text.split(JSON.stringify(PLACEHOLDER)) as [string, string];
  return Buffer.concat([Buffer.from(before), Buffer.isBuffer(raw) ? raw : Buffer.from(raw), Buffer.from(after)]);
}

/** One of `items`, picked by a generated index. */
const pick = <T>(items: T[], index: number): T => items[index % items.length]!;

const SQLISH = [
  "' OR '1'='1",
  "' OR 1=1 -- ",
  '" OR ""="',
  "'; DROP TABLE auth_accounts; --",
  '1; SELECT SLEEP(5) #',
  "' UNION SELECT password_hash FROM auth_accounts --",
  '%',
  '_',
  '%%',
  '\\',
  "\\'",
  '`',
  '0x27',
  "admin'/*",
  "') OR ('a'='a",
  'NULL',
  '\u0000',
  "1' AND (SELECT 1 FROM (SELECT COUNT(*),CONCAT(version(),FLOOR(RAND(0)*2))x FROM information_schema.tables GROUP BY x)a) -- ",
];

const ODD_CHARS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u200b',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufffd',
  '😀',
  'e\u0301',
  '１',
  '٣',
  'İ',
  'ß',
  'ﬀ',
  '"',
  '\\',
  '<',
  '>',
  '&',
  "'",
];

/** Bytes that are not UTF-8: a lone continuation byte, truncated and overlong sequences, an encoded surrogate. */
const INVALID_UTF8 = [[0xff], [0x80], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xfe, 0xfe, 0xff, 0xff]];

const OUT_OF_RANGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '9007199254740993',
  '123456789012345678901234567890',
  '-9223372036854775809',
  '18446744073709551616',
  '1.7976931348623157e308',
  '4.9e-324',
  '0.1',
  '-1',
  '2147483648',
  '1E2',
];

const CONTENT_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/jsonp',
  'application/json, text/plain',
  'application/problem+json',
  'APPLICATION/JSON',
  'application/json;;;',
  '*/*',
  ';',
  'json',
];

/** The association pages' cookies, malformed and well-formed but unknown. */
const COOKIES = [
  'w3kit_association_csrf=%E0%A4%A',
  `w3kit_association_csrf=${'A'.repeat(43)}; w3kit_association_sign_in=${'B'.repeat(43)}`,
  'w3kit_association_sign_in=; w3kit_association_sign_in=x',
  `w3kit_association_sign_in="${'a'.repeat(43)}"`,
  '=; ;;; =x',
];

const MALFORMED_ESCAPES = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF', '%00', '%2e%2e', '..', '%2F..%2F', '%25', '0x%'];

/** A JWT-shaped string from any header and payload, signed with junk. */
const jwtish = fc
  .tuple(
    fc.record(
      {
        alg: fc.constantFrom('none', 'None', 'HS256', 'RS256', 'ES256', 'EdDSA', 'ES256K', ''),
        kid: fc.oneof(fc.string(), fc.constant('../../etc/passwd'), fc.jsonValue({ maxDepth: 1 })),
        typ: fc.constant('JWT'),
      },
      { requiredKeys: [] },
    ),
    fc.record(
      {
        sub: fc.string(),
        account_type: fc.constantFrom('organization', 'end_user', 'admin'),
        exp: fc.oneof(fc.integer(), fc.constant(9_999_999_999)),
        iat: fc.integer(),
        aud: fc.constantFrom('w3kit', 'x'),
      },
      { requiredKeys: [] },
    ),
    fc.base64String({ maxLength: 120 }),
  )
  .map(
    ([header, payload, signature]) =>
      [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + `.${signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`,
  );

/** Header values node's HTTP client accepts (tab, printable ASCII and Latin-1; no control characters). */
const headerText = fc.string({ unit: fc.constantFrom(...'\t !"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[\\]^_`{|}~\u00e9\u00ff'.split('')), maxLength: 300 });

const garbageAuthorization = (bearers: string[]) =>
  fc.oneof(
    headerText,
    fc.constantFrom('Bearer', 'Bearer ', 'bearer', 'Basic dXNlcjpwYXNzd29yZA==', 'Bearer a.b.c', 'Bearer ..', 'Bearer null', 'Bearer undefined', 'Token x', 'Bearer ' + 'A'.repeat(8000)),
    jwtish.map((jwt) => `Bearer ${jwt}`),
    fc.tuple(fc.constantFrom(...bearers), fc.constantFrom('x', '.', '.x', '..', ' x', '=')).map(([bearer, tail]) => `${bearer}${tail}`),
    fc.constantFrom(...bearers).map((bearer) => bearer.replace(/\.([^.]*)$/, (_, sig: string) => `.${sig.split('').reverse().join('')}`)),
    fc.constantFrom(...bearers).map((bearer) => `${bearer}, ${bearer}`),
  );

interface Built {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

function build(op: Operation, base: Base): Built {
  const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(base.params[name] ?? 'x'));
  const query = new URLSearchParams(Object.entries(base.query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (base.authorization !== undefined) headers['authorization'] = base.authorization;
  let body: Buffer | undefined;
  if (op.body && base.body !== undefined) {
    body = Buffer.from(JSON.stringify(base.body));
    headers['content-type'] = 'application/json';
  }
  return { path, query, headers, body };
}

const finish = (mutation: string, op: Operation, built: Built, raw = false): HostileRequest => ({
  mutation,
  method: op.method,
  url: built.query ? `${built.path}?${built.query}` : built.path,
  headers: built.body === undefined ? built.headers : { ...built.headers, 'content-length': String(built.body.length) },
  ...(built.body === undefined ? {} : { body: built.body }),
  raw,
});

/** The request of `base` with `body` as its JSON body (bytes as given); undefined: no body at all. */
function withBody(op: Operation, base: Base, mutation: string, body: Buffer | undefined, raw = false): HostileRequest {
  const built = build(op, base);
  const headers = { ...built.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body === undefined) delete headers['content-type'];
  return finish(mutation, op, { ...built, headers, body }, raw);
}

/** The base body, or an empty object for routes without one (hostile bodies go to those too). */
const bodyOf = (base: Base): unknown => base.body ?? {};

/** Every malformation that applies to `op`, each an arbitrary of hostile requests. */
export function hostileRequests(op: Operation, fixtures: Fixtures): fc.Arbitrary<HostileRequest> {
  const base: fc.Arbitrary<Base> = fc.record({
    params: fc.record(
      Object.fromEntries(
        op.pathParams.map(({ name, schema }) => {
          const known = fixtures.params[name] ?? [];
          return [name, known.length > 0 ? fc.oneof(fc.constantFrom(...known), valueOf(schema).map(String)) : valueOf(schema).map(String)];
        }),
      ),
    ),
    query: fc.record(Object.fromEntries(op.queryParams.map(({ name, schema }) => [name, valueOf(schema)])), { requiredKeys: op.queryParams.filter((p) => p.required).map((p) => p.name) }),
    body: op.body ? valueOf(op.body, fixtures.fields) : fc.constant(undefined),
    authorization: op.bearer ? fc.constantFrom(...fixtures.bearers) : fc.constantFrom(undefined, undefined, ...fixtures.bearers),
  });

  const atPath = <T>(value: fc.Arbitrary<T>) => fc.tuple(base, fc.nat(), value).map(([b, index, v]) => ({ b, path: pick(pathsOf(bodyOf(b)), index), v }));

  const mutations: fc.Arbitrary<HostileRequest>[] = [
    // a wrong type anywhere in the body, the body itself included
    atPath(
      fc.oneof(
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      ),
    ).map(({ b, path, v }) => withBody(op, b, `wrong type at ${path.join('.') || 'body'}`, Buffer.from(JSON.stringify(setAt(bodyOf(b), path, v))))),
    // a field left out, or no usable body at all
    fc.tuple(base, fc.nat(), fc.constantFrom('delete', 'no body', 'null', '[]', '""', '{}')).map(([b, index, how]) => {
      if (how !== 'delete') return withBody(op, b, `missing fields: ${how}`, how === 'no body' ? undefined : Buffer.from(how));
      const path = pick(pathsOf(bodyOf(b)), index);
      return withBody(op, b, `missing ${path.join('.') || 'body'}`, Buffer.from(JSON.stringify(deleteAt(bodyOf(b), path) ?? {})));
    }),
    // an extra field, prototype-polluting names included
    fc
      .tuple(
        base,
        fc.nat(),
        fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', 'id', 'account_id')),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([b, index, key, v]) => {
        const body = bodyOf(b);
        const path =
          pick(
            pathsOf(body).filter((p) => isObject(valueAt(body, p))),
            index,
          ) ?? [];
        // written into the JSON text, so `__proto__` arrives as an own key, as from a real client
        const object = JSON.stringify(valueAt(body, path) ?? {});
        const field = `${JSON.stringify(key)}:${JSON.stringify(v)}`;
        return withBody(op, b, `extra field ${JSON.stringify(key)} at ${path.join('.') || 'body'}`, spliceRaw(body, path, object === '{}' ? `{${field}}` : `{${field},${object.slice(1)}`));
      }),
    // a huge string (past the body limit too)
    atPath(fc.tuple(fc.constantFrom(1_000, 5_000, 20_000, 99_000, 150_000, 1_000_000), fc.constantFrom('a', '😀', 'é', '\u0000', '0'))).map(({ b, path, v: [length, unit] }) =>
      withBody(op, b, `huge string (${length} × ${JSON.stringify(unit)}) at ${path.join('.') || 'body'}`, Buffer.from(JSON.stringify(setAt(bodyOf(b), path, unit.repeat(length))))),
    ),
    // arrays or objects nested deep
    atPath(fc.tuple(fc.constantFrom(10, 100, 1_000, 5_000, 19_000, 45_000), fc.boolean())).map(({ b, path, v: [depth, arrays] }) =>
      withBody(
        op,
        b,
        `nesting ${depth} deep at ${path.join('.') || 'body'}`,
        spliceRaw(bodyOf(b), path, arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
      ),
    ),
    // bytes that are not UTF-8, inside a string or bare
    atPath(fc.tuple(fc.constantFrom(...INVALID_UTF8), fc.boolean())).map(({ b, path, v: [bytes, quoted] }) =>
      withBody(
        op,
        b,
        `invalid UTF-8 ${Buffer.from(bytes).toString('hex')} at ${path.join('.') || 'body'}`,
        spliceRaw(bodyOf(b), path, quoted ? Buffer.from([0x22, 0x61, ...bytes, 0x62, 0x22]) : Buffer.from(bytes)),
        true,
      ),
    ),
    // a wrong, broken or missing content type, the body sent with a length or in chunks
    fc.tuple(base, fc.constantFrom(...CONTENT_TYPES), fc.boolean()).map(([b, type, chunked]) => {
      const built = build(op, b);
      const body = built.body ?? Buffer.from(JSON.stringify(bodyOf(b)));
      const headers: Record<string, string> = { ...built.headers };
      delete headers['content-type'];
      if (type !== undefined) headers['content-type'] = type;
      const request = finish(`content-type ${JSON.stringify(type)}${chunked ? ', chunked' : ''}`, op, { ...built, headers, body }, true);
      if (chunked) {
        // framed as chunks (node's client frames a GET body only when told to)
        delete request.headers['content-length'];
        request.headers['transfer-encoding'] = 'chunked';
      }
      return request;
    }),
    // random bytes declared as JSON
    fc.tuple(base, fc.uint8Array({ minLength: 1, maxLength: 200 })).map(([b, bytes]) => withBody(op, b, 'random bytes as JSON', Buffer.from(bytes), true)),
    // a garbage Authorization header
    fc.tuple(base, garbageAuthorization(fixtures.bearers)).map(([b, authorization]) => finish(`authorization ${JSON.stringify(authorization.slice(0, 60))}`, op, build(op, { ...b, authorization }))),
    // a key given twice: JSON.parse keeps the last one, so the bad value goes first or last
    atPath(fc.tuple(fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.constant({})), fc.boolean())).map(({ b, path, v: [other, firstWins] }) => {
      const key = path.at(-1);
      const parent = path.slice(0, -1);
      if (typeof key !== 'string') return withBody(op, b, 'duplicated keys {"a":1,"a":2}', Buffer.from('{"a":1,"a":2}'));
      const node = valueAt(bodyOf(b), parent) as Record<string, unknown>;
      const entries = Object.entries(node).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      const twice = `${JSON.stringify(key)}:${JSON.stringify(other)}`;
      const object = `{${(firstWins ? [...entries, twice] : [twice, ...entries]).join(',')}}`;
      return withBody(op, b, `duplicated key ${key} (${firstWins ? 'bad value last' : 'bad value first'})`, spliceRaw(bodyOf(b), parent, object));
    }),
    // numbers out of range, as written in the JSON text
    atPath(fc.constantFrom(...OUT_OF_RANGE_NUMBERS)).map(({ b, path, v }) => withBody(op, b, `number ${v} at ${path.join('.') || 'body'}`, spliceRaw(bodyOf(b), path, v))),
    // control characters, lone surrogates, bidi overrides, look-alike digits
    atPath(fc.array(fc.constantFrom(...ODD_CHARS), { minLength: 1, maxLength: 12 })).map(({ b, path, v }) => {
      const current = valueAt(bodyOf(b), path);
      const text = `${typeof current === 'string' ? current : ''}${v.join('')}`;
      return withBody(op, b, `odd characters ${JSON.stringify(v.join(''))} at ${path.join('.') || 'body'}`, Buffer.from(JSON.stringify(setAt(bodyOf(b), path, text))));
    }),
    // SQL-ish strings
    atPath(fc.tuple(fc.constantFrom(...SQLISH), fc.boolean())).map(({ b, path, v: [sqlish, append] }) => {
      const current = valueAt(bodyOf(b), path);
      const text = append && typeof current === 'string' ? `${current}${sqlish}` : sqlish;
      return withBody(op, b, `SQL-ish ${JSON.stringify(text.slice(0, 60))} at ${path.join('.') || 'body'}`, Buffer.from(JSON.stringify(setAt(bodyOf(b), path, text))));
    }),
    // query strings: wrong types, out of range, repeated, huge, unknown names (and real values of undeclared ones)
    fc
      .tuple(
        base,
        fc.constantFrom(...op.queryParams.map((p) => p.name), ...Object.keys(fixtures.query), '__proto__', 'constructor', 'c', 'x'),
        fc.constantFrom('abc', '', '1.5', '-1', '0', '1e309', '99999999999999999999', 'NaN', 'null', 'asc', "'", '%00', 'x'.repeat(5000), ...Object.values(fixtures.query).flat()),
        fc.boolean(),
      )
      .map(([b, name, value, repeat]) => {
        const built = build(op, b);
        const extra = new URLSearchParams([[name, value], ...(repeat ? [[name, '2']] : [])] as [string, string][]).toString();
        return finish(`query ${name}=${JSON.stringify(value.slice(0, 20))}${repeat ? ' (twice)' : ''}`, op, { ...built, query: built.query ? `${built.query}&${extra}` : extra });
      }),
  ];
  // malformed %-escapes in query names and values, sent as written
  mutations.push(
    fc.tuple(base, fc.constantFrom(...op.queryParams.map((p) => p.name), ...Object.keys(fixtures.query), 'x'), fc.constantFrom(...MALFORMED_ESCAPES), fc.boolean()).map(([b, name, escape, inName]) => {
      const built = build(op, b);
      const extra = inName ? `${escape}=1&${name}[]=${escape}` : `${name}=${escape}`;
      return finish(`query ${extra}`, op, { ...built, query: built.query ? `${built.query}&${extra}` : extra }, true);
    }),
  );
  // headers the kit or a plugin reads: request ids, idempotency keys, the association pages' cookies, proxies
  mutations.push(
    fc
      .tuple(
        base,
        fc.constantFrom('x-request-id', 'idempotency-key', 'cookie', 'x-forwarded-for', 'accept', 'accept-language', 'origin', 'referer', 'content-encoding'),
        fc.oneof(headerText, fc.constantFrom(...COOKIES)),
      )
      .map(([b, name, value]) => {
        const built = build(op, b);
        return finish(`header ${name}: ${JSON.stringify(value.slice(0, 60))}`, op, { ...built, headers: { ...built.headers, [name]: value } });
      }),
  );
  const bounded = op.body ? boundedStrings(op.body) : [];
  if (bounded.length > 0) {
    // exactly as long as the schema allows, in characters that take 1 to 4 bytes: the columns must hold it
    mutations.push(
      fc.tuple(base, fc.constantFrom(...bounded), fc.constantFrom('x', 'é', '€', '😀'), fc.boolean()).map(([b, { path, maxLength }, unit, over]) => {
        const length = over ? maxLength + 1 : maxLength;
        const text = unit.length === 2 ? unit.repeat(Math.floor(length / 2)) + (length % 2 ? 'x' : '') : unit.repeat(length);
        return withBody(op, b, `${text.length} UTF-16 units of ${JSON.stringify(unit)} at ${path.join('.')} (max ${maxLength})`, Buffer.from(JSON.stringify(setAt(bodyOf(b), path, text))));
      }),
    );
  }
  if (op.pathParams.length > 0) {
    mutations.push(
      fc
        .tuple(
          base,
          fc.constantFrom(...op.pathParams.map((p) => p.name)),
          fc.oneof(
            fc.string({ minLength: 1 }),
            fc.string({ minLength: 1, unit: 'binary' }),
            fc.constantFrom(...SQLISH.filter(Boolean)),
            fc.constantFrom(`0x${'a'.repeat(5000)}`, '0X' + 'a'.repeat(40), 'a'.repeat(40), '0x' + 'g'.repeat(64), '-1', '0', 'null', '[object Object]'),
          ),
        )
        .map(([b, name, value]) => finish(`path param ${name}=${JSON.stringify(value.slice(0, 40))}`, op, build(op, { ...b, params: { ...b.params, [name]: value } }))),
      fc.tuple(base, fc.constantFrom(...op.pathParams.map((p) => p.name)), fc.constantFrom(...MALFORMED_ESCAPES)).map(([b, name, escape]) => {
        const built = build(op, { ...b, params: { ...b.params, [name]: PLACEHOLDER } });
        return finish(`path param ${name}=${escape}`, op, { ...built, path: built.path.replace(encodeURIComponent(PLACEHOLDER), escape) }, true);
      }),
    );
  }
  return fc.oneof(...mutations).map((req) => Object.defineProperty(req, fc.toStringMethod, { value: () => describeRequest(req) }));
}

/** A request in a few lines, for failure messages (long values cut). */
export const describeRequest = (req: HostileRequest): string =>
  `${req.mutation}\n  ${req.method} ${req.url.slice(0, 200)}\n  headers ${JSON.stringify(req.headers).slice(0, 300)}\n  body ${req.body ? `${JSON.stringify(req.body.subarray(0, 200).toString('latin1'))} (${req.body.length} bytes)` : '(none)'}`;
