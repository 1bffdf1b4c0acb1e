import { Type } from '@w3kit/core';
import { CREDENTIAL_FORMATS } from './did-config.js';

// Success bodies of the DID routes (Finenex plain JSON and VC-API), as the routes build them.

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);
const Format = Type.Union([...CREDENTIAL_FORMATS.map((f) => Type.Literal(f)), Type.Null()]);

// The JSON-LD members as the W3C data models allow them (typed, so a typed client gets them
// typed); every object stays open, as JSON-LD is.
const Open = <T extends Parameters<typeof Type.Object>[0]>(properties: T) => Type.Object(properties, { additionalProperties: true });
const Context = Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), Open({})]))]);
const Types = Type.Union([Type.String(), Type.Array(Type.String())]);
const Proof = Open({ type: Type.String(), jwt: Type.Optional(Type.String({ description: 'JwtProof2020: the credential as a JWT' })) });
const Proofs = Type.Union([Proof, Type.Array(Proof)]);

/** A credential in JSON form: a JWT one carries `proof.jwt`, a Data Integrity one its proof(s). */
export const VerifiableCredentialResult = Type.Object(
  {
    '@context': Context,
    type: Types,
    issuer: Type.Union([Type.String(), Open({ id: Type.String() })]),
    credentialSubject: Type.Union([Open({}), Type.Array(Open({}))]),
    proof: Proofs,
  },
  { additionalProperties: true, $id: 'VerifiableCredential' },
);

/** A presentation in JSON form. */
export const VerifiablePresentationResult = Type.Object({ '@context': Context, type: Types, proof: Proofs }, { additionalProperties: true });

/** The Finenex document's verify-vc answer (`credentialResult`). */
export const CredentialCheck = Type.Object(
  {
    verified: Type.Boolean(),
    format: Format,
    id: Nullable(Type.String()),
    issuer: Nullable(Type.String()),
    subject: Nullable(Type.String()),
    expirationDate: Nullable(Type.String()),
    revoked: Type.Optional(Type.Boolean()),
    statusListCredential: Type.Optional(Type.String()),
    statusListIndex: Type.Optional(Type.Integer()),
    code: Type.Optional(Type.String({ description: 'why it is not verified' })),
    reason: Type.Optional(Type.String()),
    credential: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], { description: 'a JWT credential’s JSON form' })),
  },
  { $id: 'CredentialCheck' },
);

/** The verify-vp answer. */
export const PresentationCheck = Type.Object({
  verified: Type.Boolean(),
  format: Format,
  holder: Nullable(Type.String()),
  verifier: Type.Array(Type.String()),
  challenge: Nullable(Type.String()),
  code: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  credentials: Type.Array(CredentialCheck),
  presentation: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
});

/** A revocation (revoke-vc, VC-API status). */
export const RevocationResult = Type.Object({
  credentialId: Type.String(),
  revoked: Type.Literal(true),
  revokedAt: Type.String({ description: 'ISO 8601' }),
  statusListCredential: Type.String(),
  statusListIndex: Type.Integer(),
});

const ProblemDetail = Type.Object({ type: Type.String(), title: Type.String(), detail: Type.String() });

/** A VC-API verification result (a 200 only when verified). */
export const VcApiVerification = Type.Object(
  { verified: Type.Literal(true), checks: Type.Array(Type.String()), warnings: Type.Array(Type.String()), errors: Type.Array(Type.String()), problemDetails: Type.Array(ProblemDetail) },
  { additionalProperties: true },
);

export const VcApiIssued = Type.Object({ verifiableCredential: VerifiableCredentialResult });
