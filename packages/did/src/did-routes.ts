import { clientIpOf, defineRoute, Type, type AnyRouteSpec } from '@w3kit/core';
import { CredentialCheck, PresentationCheck, RevocationResult, VerifiableCredentialResult, VerifiablePresentationResult } from './response-schemas.js';
import { MAX_PROOFS } from './data-integrity.js';
import { CREDENTIAL_FORMATS } from './did-config.js';
import { logLibraryDetails, type CredentialVerification, type PresentationVerification } from './verification.js';

const Did = Type.String({ minLength: 8, maxLength: 512, pattern: '^did:[a-z0-9]+:\\S+$', description: 'a DID (did:ethr or did:key)' });
const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', description: 'a 0x address' });
const Proof = Type.Union([Type.Object({ type: Type.String({ maxLength: 128 }) }), Type.Array(Type.Object({ type: Type.String({ maxLength: 128 }) }), { minItems: 1, maxItems: MAX_PROOFS })]);
/** A credential or presentation in JSON form: anything, as long as it carries a proof. */
export const Verifiable = (description: string) => Type.Object({ proof: Proof }, { description });
const Format = Type.Union(
  CREDENTIAL_FORMATS.map((f) => Type.Literal(f)),
  { description: 'jwt (JwtProof2020, ES256K, did:ethr; default) or a Data Integrity suite (did:key)' },
);
const UserInfoValue = Type.Union([Type.String({ maxLength: 2048 }), Type.Number(), Type.Boolean(), Type.Null()]);
const Identifier = Type.Object({ did: Type.String(), alias: Type.String(), provider: Type.String() }, { additionalProperties: true });

/**
 * The Finenex document's `verify-vc` answer: `verified`, what was verified, and the reason when false. A JWT
 * credential's JSON form, decoded from the signed JWT, is included (the caller may have posted
 * only the proof); a Data Integrity credential is what was posted and is not echoed.
 */
export function credentialResult(v: CredentialVerification) {
  const first = v.problems[0];
  return {
    verified: v.verified,
    format: v.format,
    id: v.id,
    issuer: v.issuer,
    subject: v.subject,
    expirationDate: v.expirationDate,
    ...(v.status ? { revoked: v.status.revoked, statusListCredential: v.status.statusListCredential, statusListIndex: v.status.statusListIndex } : {}),
    ...(first ? { code: first.code, reason: first.message } : {}),
    ...(v.format === 'jwt' ? { credential: v.credential } : {}),
  };
}

function presentationResult(v: PresentationVerification) {
  const first = v.problems[0];
  return {
    verified: v.verified,
    format: v.format,
    holder: v.holder,
    verifier: v.audience,
    challenge: v.challenge,
    ...(first ? { code: first.code, reason: first.message } : {}),
    credentials: v.credentials.map(credentialResult),
    ...(v.format === 'jwt' ? { presentation: v.presentation } : {}),
  };
}

export function didRoutes(): AnyRouteSpec[] {
  return [
    defineRoute({
      name: 'did.create-address',
      method: 'POST',
      path: '/did/create-address',
      summary: 'Create a custodial secp256k1 address; its secretKey is shown once.',
      description: 'With an Authorization: Bearer token the address belongs to that account, whose token then also authorizes its use.',
      response: Type.Object({ address: Type.String(), secretKey: Type.String() }),
      rateLimit: [{ rule: 'did.create-address', key: 'principal-or-ip' }],
      auth: 'optional',
      async handler({ principal, services }) {
        return services.didService.createAddress(principal);
      },
    }),
    defineRoute({
      name: 'did.create-did',
      method: 'POST',
      path: '/did/create-did',
      summary: 'Create a did:ethr for an address made by create-address (with its secretKey) or for your ID wallet (with your token).',
      body: Type.Object({
        alias: Type.String({ minLength: 1, maxLength: 191 }),
        address: Address,
        secretKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      }),
      response: Identifier,
      auth: 'optional',
      errors: ['ADDRESS_AUTHORIZATION_REQUIRED', 'INVALID_SECRET_KEY', 'NOT_YOUR_ADDRESS'],
      async handler({ principal, body, services }) {
        return services.didService.createDid(principal, body);
      },
    }),
    defineRoute({
      name: 'did.create-vc',
      method: 'POST',
      path: '/did/create-vc',
      summary: 'Issue a credential about the caller (credentialSubject = userInfo + id: holder + sub: userId).',
      description: '`tempKey` and `hashKey` are accepted and ignored: the bearer token authorizes. `format` and `dataModel` are w3kit extensions.',
      auth: 'required',
      body: Type.Object({
        holder: Did,
        issuer: Type.Optional(Did),
        userInfo: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), UserInfoValue, { maxProperties: 64 }),
        tempKey: Type.Optional(Type.String({ maxLength: 256 })),
        hashKey: Type.Optional(Type.String({ maxLength: 256 })),
        format: Type.Optional(Format),
        dataModel: Type.Optional(Type.Union([Type.Literal('1.1'), Type.Literal('2.0')])),
      }),
      rateLimit: [{ rule: 'did.create-vc', key: 'principal' }],
      response: VerifiableCredentialResult,
      errors: ['FORMAT_NOT_SUPPORTED_BY_ISSUER', 'INVALID_DID', 'INVALID_USER_INFO', 'UNKNOWN_ISSUER'],
      async handler({ principal, body, services }) {
        return services.credentialService.createVc(principal, {
          holder: body.holder,
          userInfo: body.userInfo,
          issuer: body.issuer,
          format: body.format,
          dataModel: body.dataModel,
        });
      },
    }),
    defineRoute({
      name: 'did.verify-vc',
      method: 'POST',
      path: '/did/verify-vc',
      summary: 'Verify a credential (the body is the VC): proof, validity period, revocation.',
      body: Verifiable('the verifiable credential'),
      response: CredentialCheck,
      errors: ['RATE_LIMITED', 'TOO_COMPLEX_TO_VERIFY'],
      async handler({ body, services, ctx }) {
        await services.verificationGuard.admit(clientIpOf(ctx), body);
        return credentialResult(logLibraryDetails(services.logger, 'verify-vc', await services.credentialService.verify(body)));
      },
    }),
    defineRoute({
      name: 'did.create-vp',
      method: 'POST',
      path: '/did/create-vp',
      summary: 'Create a VP (JWT) signed with the holder’s custodial key.',
      description:
        'Authorized by `tempKey` (the secretKey of the holder’s address) or by the owning account’s bearer token. `hashKey` is accepted and ignored. `challenge` (w3kit extension) becomes the JWT `nonce`: put the website login’s requestId there.',
      body: Type.Object({
        holder: Did,
        verifier: Type.Optional(Did),
        tempKey: Type.Optional(Type.String({ maxLength: 256 })),
        hashKey: Type.Optional(Type.String({ maxLength: 256 })),
        challenge: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })),
        credentials: Type.Array(Type.Union([Type.Object({}), Type.String({ maxLength: 16384 })]), { minItems: 1, maxItems: 16 }),
      }),
      auth: 'optional',
      response: VerifiablePresentationResult,
      errors: ['HOLDER_KEY_NOT_HELD', 'HOLDER_NOT_AUTHORIZED', 'INVALID_CREDENTIAL'],
      async handler({ principal, body, services }) {
        return services.presentationService.createVp(principal, {
          holder: body.holder,
          credentials: body.credentials,
          verifier: body.verifier,
          challenge: body.challenge,
          tempKey: body.tempKey,
        });
      },
    }),
    defineRoute({
      name: 'did.verify-vp',
      method: 'POST',
      path: '/did/verify-vp',
      summary: 'Verify a presentation (the body is the VP) and every credential in it.',
      body: Verifiable('the verifiable presentation'),
      response: PresentationCheck,
      errors: ['RATE_LIMITED', 'TOO_COMPLEX_TO_VERIFY'],
      async handler({ body, services, ctx }) {
        await services.verificationGuard.admit(clientIpOf(ctx), body);
        return presentationResult(logLibraryDetails(services.logger, 'verify-vp', await services.presentationService.verify(body)));
      },
    }),
    defineRoute({
      name: 'did.revoke-vc',
      method: 'POST',
      path: '/did/revoke-vc',
      summary: 'Revoke a credential issued at your request: its status list entry is set.',
      auth: 'required',
      body: Type.Object({
        credentialId: Type.Optional(Type.String({ minLength: 1, maxLength: 191 })),
        credential: Type.Optional(Type.Union([Type.Object({}), Type.String({ maxLength: 16384 })])),
      }),
      response: RevocationResult,
      errors: ['CREDENTIAL_NOT_FOUND', 'NOT_CREDENTIAL_ISSUER'],
      async handler({ principal, body, services }) {
        if (body.credentialId === undefined && body.credential === undefined) {
          throw services.didErrors.create('CREDENTIAL_NOT_FOUND', { message: 'Send credentialId or the credential.', issues: [{ field: 'credentialId', message: 'is required.' }] });
        }
        return services.credentialService.revoke(principal, body);
      },
    }),
    defineRoute({
      name: 'did.issuers',
      method: 'GET',
      path: '/did/issuers',
      summary: 'The DIDs this server issues credentials as.',
      response: Type.Array(Identifier),
      handler: ({ services }) => services.didService.issuers(),
    }),
    defineRoute({
      name: 'did.my-issuers',
      method: 'GET',
      path: '/did/my-issuers',
      summary: 'Your organization’s own issuer DIDs, which VC-API /credentials/issue signs as (created on first use).',
      auth: 'required',
      response: Type.Array(Identifier),
      errors: ['ORGANIZATION_ONLY'],
      async handler({ principal, services }) {
        if (principal.accountType !== 'organization') throw services.didErrors.create('ORGANIZATION_ONLY');
        return services.didService.organizationIssuers(principal.accountId);
      },
    }),
    defineRoute({
      name: 'did.verifiers',
      method: 'GET',
      path: '/did/verifiers',
      summary: 'The DIDs this server verifies presentations as (the audience of login VPs).',
      response: Type.Array(Identifier),
      handler: ({ services }) => services.didService.verifiers(),
    }),
    defineRoute({
      name: 'did.status-list',
      method: 'GET',
      path: '/did/status-lists/:id',
      summary: 'A Bitstring Status List credential, signed by its issuer.',
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }),
      response: VerifiableCredentialResult,
      errors: ['STATUS_LIST_NOT_FOUND'],
      async handler({ params, services, ctx }) {
        ctx.set('cache-control', 'no-cache');
        return services.statusListService.statusListCredential(params.id);
      },
    }),
  ];
}
