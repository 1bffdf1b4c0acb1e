import { defineRoute, LoginResultSchema, Type, type RouteGroup } from '@w3kit/core';
import { siweExamples } from './examples.js';

const SignedMessageBody = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 4096, description: 'The EIP-4361 message, exactly as the wallet signed it.' }),
  signature: Type.String({
    pattern: '^0x[0-9a-fA-F]+$',
    maxLength: 20_000,
    description: 'The wallet’s signature (0x-hex): 65 bytes for an EOA, the EIP-1271 signature of a smart-contract wallet, or an EIP-6492 wrapper.',
  }),
});
const Address = Type.Object({ address: Type.String(), chain_id: Type.Integer(), linked_at: Type.String({ description: 'ISO 8601' }) });

/** Sign-In with Ethereum, beside the other Finenex logins (`/v2/auth/*`, plain JSON). */
export const siweRoutes = [
  defineRoute({
    name: 'siwe.nonce',
    method: 'POST',
    path: '/auth/siwe/nonce',
    summary: 'A one-time nonce for a Sign-In with Ethereum message.',
    description:
      'POST, not GET: every call stores a nonce, which a prefetch or a cache must not do. The nonce is tied to no address; it lives ' +
      '`nonceTtlSeconds` and signs in once. Rate-limited per client IP (`siwe.nonce`, 429).',
    successStatus: 201,
    response: Type.Object({
      nonce: Type.String(),
      expiresAt: Type.String({ description: 'ISO 8601' }),
      statement: Type.Optional(Type.String({ description: 'The statement the message must carry, when the server requires one.' })),
    }),
    rateLimit: [{ rule: 'siwe.nonce', key: 'ip' }],
    async handler({ services }) {
      const issued = await services.siweService.issueNonce();
      return { ...issued, expiresAt: issued.expiresAt.toISOString() };
    },
  }),
  defineRoute({
    name: 'siwe.verify',
    method: 'POST',
    path: '/auth/siwe/verify',
    summary: 'Sign in with a signed EIP-4361 message: the same login result (and session) as `auth-user`.',
    description:
      'Checks domain, scheme and URI against the allowed origins, the chain, the statement, issuedAt/expirationTime/notBefore, uses the ' +
      'nonce up, then the signature (ecrecover, EIP-1271, EIP-6492). 400 SIWE_MESSAGE_MALFORMED; 401 for a message that signs no one in ' +
      '(SIWE_DOMAIN_NOT_ALLOWED, SIWE_CHAIN_NOT_ALLOWED, SIWE_STATEMENT_MISMATCH, SIWE_MESSAGE_EXPIRED, SIWE_MESSAGE_NOT_YET_VALID, ' +
      'SIWE_NONCE_INVALID, SIWE_SIGNATURE_INVALID); 404 SIWE_ACCOUNT_NOT_FOUND for an address no account holds when sign-up is off; ' +
      '429 per client IP (`siwe.verify`) and per address (`siwe.verify.address`); 503 SIWE_CHAIN_UNAVAILABLE.',
    body: SignedMessageBody,
    response: Type.Intersect([LoginResultSchema, Type.Object({ address: Type.String(), chainId: Type.Integer() })]),
    rateLimit: [{ rule: 'siwe.verify', key: 'ip' }],
    errors: [
      'SIWE_ACCOUNT_NOT_FOUND',
      'SIWE_CHAIN_NOT_ALLOWED',
      'SIWE_CHAIN_UNAVAILABLE',
      'SIWE_DOMAIN_NOT_ALLOWED',
      'SIWE_MESSAGE_EXPIRED',
      'SIWE_MESSAGE_MALFORMED',
      'SIWE_MESSAGE_NOT_YET_VALID',
      'SIWE_NONCE_INVALID',
      'SIWE_SIGNATURE_INVALID',
      'SIWE_STATEMENT_MISMATCH',
    ],
    async handler({ body, services }) {
      return services.siweService.signIn(body);
    },
  }),
  defineRoute({
    name: 'siwe.link',
    method: 'POST',
    path: '/auth/siwe/link',
    summary: 'Link the signing address to the signed-in account (Authorization: Bearer).',
    description: 'The same checks as verify. Linking an address the account holds already answers it again; 409 SIWE_ADDRESS_TAKEN when another account holds it on that chain.',
    auth: 'required',
    body: SignedMessageBody,
    response: Address,
    rateLimit: [{ rule: 'siwe.verify', key: 'ip' }],
    errors: ['SIWE_ADDRESS_TAKEN'],
    async handler({ principal, body, services }) {
      return services.siweService.link(principal, body);
    },
  }),
  defineRoute({
    name: 'siwe.addresses',
    method: 'GET',
    path: '/auth/siwe/addresses',
    summary: 'The addresses (and chains) of the signed-in account.',
    auth: 'required',
    response: Type.Array(Address),
    async handler({ principal, services }) {
      return services.siweService.addresses(principal);
    },
  }),
];

export const siweRouteGroup = (): RouteGroup => ({ api: 'finenex', basePath: '/v2', format: 'finenex', routes: siweRoutes, examples: siweExamples });
