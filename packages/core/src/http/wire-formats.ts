import { STATUS_CODES } from 'node:http';
import type { KitError } from '../errors.js';

/**
 * How a group of routes writes its bodies. Each of the three seed documents has its own:
 * - `web3connect`: every body is `{status, result, error}`;
 * - `origin`: success is the documented body, errors are `{errors: ["field: message", …]}`;
 * - `finenex`: success is the documented body, errors are a plain object shaped like the
 *   Spring Boot default the original server produced (`{status, error, code, message, path}`);
 * - `oauth`: OAuth 2.0 / OpenID Connect endpoints (the oidc plugin): success is the protocol's
 *   body, errors are RFC 6749 §5.2's `{error, error_description}`, the code in lower case.
 */
export type WireFormatName = 'web3connect' | 'origin' | 'finenex' | 'oauth';

export interface WireFormat {
  readonly name: WireFormatName;
  success(result: unknown): unknown;
  error(error: KitError, path: string): unknown;
}

function issueLines(error: KitError): string[] {
  return error.issues.length > 0 ? error.issues.map((issue) => `${issue.field}: ${issue.message}`) : [error.expose ? error.message : 'Internal server error.'];
}

function publicMessage(error: KitError): string {
  return error.expose ? error.message : 'Internal server error.';
}

export const wireFormats: Record<WireFormatName, WireFormat> = {
  web3connect: {
    name: 'web3connect',
    success: (result) => ({ status: 'ok', result: result ?? null, error: null }),
    error: (error) => ({
      status: 'error',
      result: null,
      error: {
        code: error.expose ? error.code : 'INTERNAL_ERROR',
        message: publicMessage(error),
        ...(error.issues.length > 0 ? { issues: issueLines(error) } : {}),
        ...(error.expose && error.details ? error.details : {}),
      },
    }),
  },
  origin: {
    name: 'origin',
    success: (result) => result ?? {},
    error: (error) => ({ errors: issueLines(error) }),
  },
  finenex: {
    name: 'finenex',
    success: (result) => result,
    error: (error, path) => ({
      status: error.status,
      error: STATUS_CODES[error.status] ?? 'Error',
      code: error.expose ? error.code : 'INTERNAL_ERROR',
      message: publicMessage(error),
      path,
      ...(error.issues.length > 0 ? { issues: issueLines(error) } : {}),
      ...(error.expose && error.details ? error.details : {}),
    }),
  },
  oauth: {
    name: 'oauth',
    success: (result) => result,
    error: (error) => ({ error: error.expose ? error.code.toLowerCase() : 'server_error', error_description: issueLines(error).join(' ') }),
  },
};
