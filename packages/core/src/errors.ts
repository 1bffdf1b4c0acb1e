/** A rendered error detail: which field failed and why. */
export interface FieldIssue {
  /** Dotted path of the field (`metadata.static.name`), or `body` for the whole body. */
  field: string;
  message: string;
}

/** The definition of one error code: the HTTP status it maps to and its default message. */
export interface ErrorDefinition {
  status: number;
  message: string;
  /** Whether the message may be shown to the client. Defaults to true for status < 500. */
  expose?: boolean;
}

export type ErrorCatalog = Record<string, ErrorDefinition>;

export interface KitErrorOptions {
  message?: string;
  /** Field-level issues (validation); rendered by each wire format in its own way. */
  issues?: FieldIssue[];
  /** Extra machine-readable data, rendered in the Web3Connect envelope and the Finenex body. */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
}

/**
 * The one error type of the kit: a stable machine-readable `code`, an HTTP `status`
 * and an `expose` flag, as Koa's http-errors. The error middleware is the only place
 * that turns it into a response, in the wire format of the route that raised it.
 */
export class KitError extends Error {
  override readonly name = 'KitError';
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly issues: FieldIssue[];
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, options: KitErrorOptions & { expose?: boolean } = {}) {
    super(options.message ?? code, options.cause === undefined ? undefined : { cause: options.cause });
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new TypeError(`KitError status must be an HTTP error status (400-599), got ${status}`);
    }
    this.code = code;
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.issues = options.issues ?? [];
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export function isKitError(value: unknown): value is KitError {
  return value instanceof KitError;
}

/** A typed factory for the errors of a catalog: `errors.raise('INVALID_CODE')`. */
export interface ErrorFactory<C extends ErrorCatalog> {
  readonly catalog: C;
  create(code: keyof C & string, options?: KitErrorOptions): KitError;
  raise(code: keyof C & string, options?: KitErrorOptions): never;
}

/**
 * Defines a catalog of error codes once, so every code maps to one status in one place.
 * Codes are upper snake case (`CODE_EXPIRED`); a malformed catalog fails at definition time.
 */
export function defineErrors<const C extends ErrorCatalog>(catalog: C): ErrorFactory<C> {
  for (const [code, def] of Object.entries(catalog)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw new TypeError(`error code "${code}" must be UPPER_SNAKE_CASE`);
    if (!Number.isInteger(def.status) || def.status < 400 || def.status > 599) {
      throw new TypeError(`error code "${code}" has status ${def.status}; use an HTTP error status (400-599)`);
    }
  }
  const create = (code: keyof C & string, options: KitErrorOptions = {}): KitError => {
    const def = catalog[code];
    if (!def) throw new TypeError(`unknown error code "${code}"`);
    return new KitError(code, def.status, {
      ...options,
      message: options.message ?? def.message,
      ...(def.expose === undefined ? {} : { expose: def.expose }),
    });
  };
  return {
    catalog,
    create,
    raise(code, options) {
      throw create(code, options);
    },
  };
}

/** Errors raised by core itself; plugins define their own catalogs beside these. */
export const coreErrors = defineErrors({
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  INVALID_ENCODING: { status: 400, message: 'The request body is not valid UTF-8.' },
  JSON_TOO_DEEP: { status: 400, message: 'The request body nests arrays and objects too deeply.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be application/json.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNAUTHENTICATED: { status: 401, message: 'Authentication is required.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This path does not serve that method.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; try again later.' },
  SMS_NOT_SENT: { status: 422, message: 'The SMS could not be sent.' },
  EMAIL_NOT_SENT: { status: 422, message: 'The email could not be sent.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is temporarily unavailable.', expose: true },
  INTERNAL_ERROR: { status: 500, message: 'Internal server error.' },
});
