import type { TSchema } from '@sinclair/typebox';
import type { ErrorCatalog } from '../errors.js';
import type { AnyRouteSpec, RouteAuth, RouteGroup } from '../plugin.js';
import type { WireFormatName } from './wire-formats.js';

export interface MountedGroup {
  group: RouteGroup;
  /** Full prefix: mount path + base path. */
  prefix: string;
  plugin: string;
}

type JsonObject = Record<string, unknown>;

/** A TypeBox schema as plain JSON Schema (TypeBox's symbol keys dropped). */
const plain = (schema: TSchema): JsonObject => JSON.parse(JSON.stringify(schema)) as JsonObject;

/**
 * A response schema with every sub-schema that names itself (`$id`, e.g. `NftResult`) moved
 * to `components.schemas` and referenced: a generated client gets one named type, and the
 * document states a shape once however many routes answer it.
 */
function hoisted(schema: TSchema, components: Record<string, JsonObject>): JsonObject {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const { $id, ...rest } = node as JsonObject;
    const inner = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, walk(value)]));
    if (typeof $id !== 'string') return inner;
    components[$id] = inner;
    return { $ref: `#/components/schemas/${$id}` };
  };
  return walk(plain(schema)) as JsonObject;
}

const errorSchemas: Record<WireFormatName, JsonObject> = {
  web3connect: {
    type: 'object',
    required: ['status', 'result', 'error'],
    properties: {
      status: { const: 'error' },
      result: { type: 'null' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, issues: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
  origin: {
    type: 'object',
    required: ['errors'],
    properties: { errors: { type: 'array', items: { type: 'string' } } },
  },
  finenex: {
    type: 'object',
    required: ['status', 'error', 'code', 'message', 'path'],
    properties: {
      status: { type: 'integer' },
      error: { type: 'string' },
      code: { type: 'string' },
      message: { type: 'string' },
      path: { type: 'string' },
      issues: { type: 'array', items: { type: 'string' } },
    },
  },
  oauth: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string' }, error_description: { type: 'string' } },
  },
};

function successSchema(format: WireFormatName, route: AnyRouteSpec, components: Record<string, JsonObject>): JsonObject {
  const result = route.response ? hoisted(route.response, components) : {};
  if (format !== 'web3connect') return result;
  return {
    type: 'object',
    required: ['status', 'result', 'error'],
    properties: { status: { const: 'ok' }, result, error: { type: 'null' } },
  };
}

/** The success response: the envelope or the documented body, or what a raw route writes. */
function successResponse(format: WireFormatName, route: AnyRouteSpec, components: Record<string, JsonObject>): Record<string, JsonObject> {
  const status = String(route.successStatus ?? 200);
  if (status === '204') return { '204': { description: 'Done; no body.' } };
  if (!route.raw) return { [status]: { description: 'Success', content: { 'application/json': { schema: successSchema(format, route, components) } } } };
  if (route.response) return { [status]: { description: 'Success', content: { 'application/json': { schema: hoisted(route.response, components) } } } };
  const produces = route.produces ?? 'text/html';
  if (produces === 'redirect') {
    return { '303': { description: 'Redirect: the next step is at Location.', headers: { location: { schema: { type: 'string' } } } } };
  }
  return { [status]: { description: 'Success', content: { [produces]: { schema: { type: 'string' } } } } };
}

function parameters(route: AnyRouteSpec): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const s = plain(schema as TSchema) as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

const BODY_ERRORS = ['VALIDATION_FAILED', 'INVALID_JSON', 'INVALID_ENCODING', 'JSON_TOO_DEEP', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'];
const AUTH_ERRORS = ['UNAUTHENTICATED', 'INVALID_TOKEN'];

/**
 * Every error code a route can answer: the ones its declaration implies (core validates,
 * authenticates and counts its limits) and the ones it names, with the always-possible 5xx.
 */
export function routeErrorCodes(route: AnyRouteSpec): string[] {
  const codes = new Set<string>();
  if (route.body) BODY_ERRORS.forEach((c) => codes.add(c));
  if (route.query || route.params) codes.add('VALIDATION_FAILED');
  if ((route.auth ?? 'none') !== 'none') AUTH_ERRORS.forEach((c) => codes.add(c));
  if (route.rateLimit?.length) codes.add('RATE_LIMITED');
  for (const code of route.errors ?? []) codes.add(code);
  codes.add('INTERNAL_ERROR');
  codes.add('SERVICE_UNAVAILABLE');
  return [...codes];
}

/** The code field each wire format writes, narrowed to the route's codes (Origin bodies carry none: the codes go in the description). */
function narrowedError(format: WireFormatName, codes: string[]): JsonObject {
  const ref = { $ref: `#/components/schemas/${format}Error` };
  if (format === 'origin') return ref;
  if (format === 'oauth') return { allOf: [ref, { properties: { error: { enum: codes.map((c) => c.toLowerCase()).concat(codes.includes('INTERNAL_ERROR') ? ['server_error'] : []) } } }] };
  const code = { enum: codes };
  if (format === 'web3connect') return { allOf: [ref, { properties: { error: { properties: { code } } } }] };
  return { allOf: [ref, { properties: { code } }] };
}

/** The route's error responses, one per status, each naming its codes. */
function errorResponses(format: WireFormatName, route: AnyRouteSpec, catalog: ErrorCatalog): Record<string, JsonObject> {
  const byStatus = new Map<number, string[]>();
  for (const code of routeErrorCodes(route)) {
    const status = catalog[code]?.status;
    if (status === undefined) continue; // an auth code of a host's own authenticator, not in any composed catalog
    (byStatus.get(status) ?? byStatus.set(status, []).get(status)!).push(code);
  }
  const out: Record<string, JsonObject> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: codes.join(', '),
      'x-w3kit-error-codes': codes,
      ...(status === 429 || status === 503 ? { headers: { 'retry-after': { description: 'Seconds until a retry may succeed.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: narrowedError(format, codes) } },
    };
  }
  return out;
}

/** The OpenAPI 3.1 document of every mounted route, from the same schemas that validate requests. */
export function buildOpenApi(groups: readonly MountedGroup[], info: { title: string; version: string; serverUrl: string; catalog: ErrorCatalog }): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  const components: Record<string, JsonObject> = {};
  for (const { group, prefix, plugin } of groups) {
    for (const route of group.routes) {
      const path = `${prefix}${route.path}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}') || '/';
      const auth = (route.auth as RouteAuth | undefined) ?? 'none';
      const operation: JsonObject = {
        operationId: route.name,
        tags: [`${plugin}: ${group.api}`],
        // the wire format of the route's error bodies (and its success envelope), for clients and the fuzz tests
        'x-w3kit-format': group.format,
        // the handler writes the body itself: no envelope around a success, whatever the format
        ...(route.raw ? { 'x-w3kit-raw': true } : {}),
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        parameters: parameters(route),
        ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(route.body as TSchema) } } } } : {}),
        // an optional token is `bearerAuth` or nothing; a route without auth says so, overriding no global default
        security: auth === 'required' ? [{ bearerAuth: [] }] : auth === 'optional' ? [{ bearerAuth: [] }, {}] : [],
        ...(route.rateLimit?.length ? { 'x-w3kit-rate-limits': route.rateLimit.map((l) => ({ rule: l.rule, key: typeof l.key === 'string' ? l.key : `body.${l.key.body}` })) } : {}),
        responses: {
          ...successResponse(group.format, route, components),
          ...errorResponses(group.format, route, info.catalog),
        },
      };
      (paths[path] ??= {})[route.method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...components, ...Object.fromEntries(Object.entries(errorSchemas).map(([name, schema]) => [`${name}Error`, schema])) },
    },
  };
}
