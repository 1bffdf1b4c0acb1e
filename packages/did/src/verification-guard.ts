import { coreErrors, type RateLimiter } from '@w3kit/core';
import type { ResolvedDidOptions } from './did-config.js';
import { didErrors } from './errors.js';
import { jwtOf } from './jwt-credentials.js';

/**
 * What the unauthenticated verify endpoints take before spending CPU on a credential or
 * presentation: canonicalizing a Data Integrity credential costs about 15 µs per JSON value and
 * more with many look-alike blank nodes, so one large input can hold a core for half a second.
 * Each input is counted against its client's `did.verify` budget and bounded in size (413) and
 * in complexity (400): JSON values, credentials per presentation, proofs per document. JWTs inside
 * are decoded and counted too, so a JWT presentation cannot hide a hundred credentials.
 */
export interface VerificationGuard {
  /** Throws 429, 413 or 400 (in the route's format) when the input may not be verified. */
  admit(clientIp: string, input: unknown): Promise<void>;
}

export interface VerificationGuardDeps {
  rateLimiter: RateLimiter;
  options: ResolvedDidOptions;
}

const tooComplex = (limit: string, max: number, message: string) => didErrors.create('TOO_COMPLEX_TO_VERIFY', { message, details: { limit, max } });

/** The decoded payload of a JWT, or nothing when it does not decode (verification reports that). */
function jwtPayload(jwt: string): unknown {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Walks the input without recursion (no stack to overflow) and throws at the first bound it passes. */
export function checkVerificationBounds(input: unknown, options: ResolvedDidOptions): void {
  const bytes = Buffer.byteLength(JSON.stringify(input) ?? '');
  if (bytes > options.verifyMaxBytes) {
    throw coreErrors.create('PAYLOAD_TOO_LARGE', {
      message: `A credential or presentation to verify may have at most ${options.verifyMaxBytes} bytes of JSON.`,
      details: { limit_bytes: options.verifyMaxBytes },
    });
  }
  const pending: unknown[] = [input];
  let nodes = 0;
  while (pending.length > 0) {
    const node = pending.pop();
    if (++nodes > options.verifyMaxNodes) throw tooComplex('verifyMaxNodes', options.verifyMaxNodes, `A credential or presentation to verify may have at most ${options.verifyMaxNodes} JSON values.`);
    if (typeof node === 'string') {
      const jwt = jwtOf(node);
      if (jwt) pending.push(jwtPayload(jwt));
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (!Array.isArray(node)) {
      const { proof, verifiableCredential } = node as { proof?: unknown; verifiableCredential?: unknown };
      if (Array.isArray(proof) && proof.length > options.verifyMaxProofs) {
        throw tooComplex('verifyMaxProofs', options.verifyMaxProofs, `A credential or presentation may carry at most ${options.verifyMaxProofs} proofs.`);
      }
      if (Array.isArray(verifiableCredential) && verifiableCredential.length > options.verifyMaxCredentials) {
        throw tooComplex('verifyMaxCredentials', options.verifyMaxCredentials, `A presentation may carry at most ${options.verifyMaxCredentials} credentials.`);
      }
    }
    for (const child of Object.values(node)) pending.push(child);
  }
}

export function createVerificationGuard({ rateLimiter, options }: VerificationGuardDeps): VerificationGuard {
  return {
    async admit(clientIp, input) {
      // the cheap check first: an oversized input costs no counter write
      checkVerificationBounds(input, options);
      if (options.verifyRateLimit) await rateLimiter.enforce('did.verify', clientIp);
    },
  };
}
