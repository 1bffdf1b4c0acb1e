import { clientIpOf, defineRoute, Type, type RouteGroup } from '@w3kit/core';
import { RevocationResult, VcApiIssued, VcApiVerification } from './response-schemas.js';
import { MAX_PROOFS } from './data-integrity.js';
import { didErrors } from './errors.js';
import { vcApiExamples } from './examples.js';
import { CREDENTIAL_FORMATS } from './did-config.js';
import { logLibraryDetails, type CredentialVerification, type Problem, type ProblemCode, type PresentationVerification } from './verification.js';

// The four problem types of the VC Data Model 2.0 that VC-API results name; the kit's own code is the title.
const PROBLEM_TYPES: Record<ProblemCode, string> = {
  MALFORMED: 'MALFORMED_VALUE_ERROR',
  UNSUPPORTED_PROOF: 'MALFORMED_VALUE_ERROR',
  CONTEXT_UNAVAILABLE: 'PARSING_ERROR',
  SIGNATURE_INVALID: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  PAYLOAD_MISMATCH: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  ISSUER_MISMATCH: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  AUDIENCE_MISMATCH: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  CHALLENGE_MISMATCH: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  DID_UNRESOLVABLE: 'CRYPTOGRAPHIC_SECURITY_ERROR',
  EXPIRED: 'RANGE_ERROR',
  NOT_YET_VALID: 'RANGE_ERROR',
  REVOKED: 'RANGE_ERROR',
  STATUS_UNAVAILABLE: 'RANGE_ERROR',
  CREDENTIAL_NOT_VERIFIED: 'CRYPTOGRAPHIC_SECURITY_ERROR',
};

const problemDetails = (problems: Problem[]) => problems.map((p) => ({ type: `https://www.w3.org/TR/vc-data-model#${PROBLEM_TYPES[p.code]}`, title: p.code, detail: p.message }));

/**
 * VC-API answers input it cannot verify with an error status, not `200 {verified: false}`: 422
 * (the request was well formed, the credential or presentation does not verify), in the group's
 * Finenex error body (`status`, `error`, `code`, `message`, `path`) with the whole verification
 * result beside it (`verified`, `checks`, `errors`, `problemDetails`, …). A body the schema
 * refuses is 400, as for every route.
 */
function answer<T extends { verified: boolean; errors: string[] }>(result: T, code: 'CREDENTIAL_NOT_VERIFIED' | 'PRESENTATION_NOT_VERIFIED'): T {
  if (result.verified) return result;
  const first = result.errors[0];
  throw didErrors.create(code, { ...(first ? { message: `${didErrors.catalog[code].message.slice(0, -1)}: ${first}` } : {}), details: result });
}

/** A VC-API verification result: `verified`, the checks done, errors and ProblemDetails. */
function credentialVerificationResult(v: CredentialVerification) {
  const checks = v.verified ? ['proof', ...(v.expirationDate ? ['expiration'] : []), ...(v.status ? ['credentialStatus'] : [])] : [];
  return { verified: v.verified, checks, warnings: [] as string[], errors: v.problems.map((p) => p.message), problemDetails: problemDetails(v.problems) };
}

function presentationVerificationResult(v: PresentationVerification, options: { challenge?: string; domain?: string }) {
  return {
    verified: v.verified,
    checks: v.verified ? ['proof', ...(options.challenge ? ['challenge'] : []), ...(options.domain ? ['domain'] : [])] : [],
    warnings: [] as string[],
    errors: v.problems.map((p) => p.message),
    problemDetails: problemDetails(v.problems),
    results: {
      // the holder is valid once the presentation's own proofs verified (its credentials may still
      // fail); a presentation without one (VC 2.0 allows it) has no holder result
      ...(v.holder !== null ? { holder: { valid: v.problems.every((p) => p.code === 'CREDENTIAL_NOT_VERIFIED'), input: v.holder } } : {}),
      ...(options.challenge ? { challenge: { valid: v.challenge === options.challenge, input: options.challenge } } : {}),
      ...(options.domain ? { domain: { valid: v.audience.includes(options.domain), input: options.domain } } : {}),
    },
    credentialResults: v.credentials.map(credentialVerificationResult),
  };
}

const Proofed = Type.Object({ proof: Type.Union([Type.Object({ type: Type.String() }), Type.Array(Type.Object({ type: Type.String() }), { minItems: 1, maxItems: MAX_PROOFS })]) });

const issueRoute = defineRoute({
  name: 'did.vc-api.issue',
  method: 'POST',
  path: '/credentials/issue',
  summary: 'VC-API: issue a credential as one of your organization’s own issuer DIDs (organization accounts).',
  description:
    'The issuer (default: your organization’s DID for the format; GET /v2/did/my-issuers lists them) or `options.format` (a w3kit extension) chooses the proof: did:ethr → JwtProof2020, Ed25519 did:key → eddsa-rdfc-2022 or Ed25519Signature2020, P-256 did:key → ecdsa-rdfc-2019. issuanceDate/validFrom may not lie in the past beyond a small skew.',
  auth: 'required',
  successStatus: 201,
  body: Type.Object({
    credential: Type.Object({
      '@context': Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), Type.Object({})]), { minItems: 1 })]),
      type: Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })]),
      credentialSubject: Type.Union([Type.Object({}), Type.Array(Type.Object({}), { minItems: 1 })]),
    }),
    options: Type.Optional(Type.Object({ format: Type.Optional(Type.Union(CREDENTIAL_FORMATS.map((f) => Type.Literal(f)))) })),
  }),
  response: VcApiIssued,
  errors: ['BACKDATED_CREDENTIAL', 'CONFLICT', 'FORMAT_NOT_SUPPORTED_BY_ISSUER', 'INVALID_CREDENTIAL', 'ISSUER_NOT_OWNED', 'ORGANIZATION_ONLY', 'UNKNOWN_ISSUER'],
  async handler({ principal, body, services }) {
    return { verifiableCredential: await services.credentialService.issue(principal, { credential: body.credential, format: body.options?.format }) };
  },
});

const verifyCredentialRoute = defineRoute({
  name: 'did.vc-api.verify-credential',
  method: 'POST',
  path: '/credentials/verify',
  summary: 'VC-API: verify a credential (proof, validity period, status).',
  body: Type.Object({ verifiableCredential: Proofed, options: Type.Optional(Type.Object({})) }),
  response: VcApiVerification,
  errors: ['CREDENTIAL_NOT_VERIFIED', 'RATE_LIMITED', 'TOO_COMPLEX_TO_VERIFY'],
  async handler({ body, services, ctx }) {
    await services.verificationGuard.admit(clientIpOf(ctx), body.verifiableCredential);
    const result = logLibraryDetails(services.logger, 'VC-API credential verification', await services.credentialService.verify(body.verifiableCredential));
    return answer(credentialVerificationResult(result), 'CREDENTIAL_NOT_VERIFIED');
  },
});

const verifyPresentationRoute = defineRoute({
  name: 'did.vc-api.verify-presentation',
  method: 'POST',
  path: '/presentations/verify',
  summary: 'VC-API: verify a presentation and every credential in it, with options.challenge and options.domain.',
  body: Type.Object({
    verifiablePresentation: Proofed,
    options: Type.Optional(Type.Object({ challenge: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })), domain: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })) })),
  }),
  response: VcApiVerification,
  errors: ['PRESENTATION_NOT_VERIFIED', 'RATE_LIMITED', 'TOO_COMPLEX_TO_VERIFY'],
  async handler({ body, services, ctx }) {
    await services.verificationGuard.admit(clientIpOf(ctx), body.verifiablePresentation);
    const options = { challenge: body.options?.challenge, audience: body.options?.domain };
    const result = logLibraryDetails(services.logger, 'VC-API presentation verification', await services.presentationService.verify(body.verifiablePresentation, options));
    return answer(presentationVerificationResult(result, { challenge: body.options?.challenge, domain: body.options?.domain }), 'PRESENTATION_NOT_VERIFIED');
  },
});

const statusRoute = defineRoute({
  name: 'did.vc-api.status',
  method: 'POST',
  path: '/credentials/status',
  summary: 'VC-API: set the revocation status of a credential the caller had issued (status true revokes; a revocation is final).',
  auth: 'required',
  body: Type.Object({
    credentialId: Type.String({ minLength: 1, maxLength: 191 }),
    credentialStatus: Type.Object({ type: Type.String(), statusPurpose: Type.Literal('revocation') }),
    status: Type.Boolean(),
  }),
  response: RevocationResult,
  errors: ['NOT_CREDENTIAL_ISSUER', 'UNREVOKE_NOT_ALLOWED'],
  async handler({ principal, body, services }) {
    return services.credentialService.setRevocationStatus(principal, { credentialId: body.credentialId, revoked: body.status });
  },
});

/**
 * The W3C VC-API issuer and verifier endpoints. Mount them elsewhere with
 * `config.basePaths['vc-api']`. Errors use the Finenex plain-JSON error body (see docs/did.md).
 */
export function vcApiRouteGroup(): RouteGroup {
  return { api: 'vc-api', basePath: '', format: 'finenex', routes: [issueRoute, verifyCredentialRoute, verifyPresentationRoute, statusRoute], examples: vcApiExamples };
}
