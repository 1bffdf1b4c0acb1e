import { Type } from '@w3kit/core';

// Success results of auth routes whose shape the service builds (the documented bodies).

const Nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);
// A claim is whatever JSON the account's store holds (OIDC's are strings, booleans and the address
// object); stated as JSON values, so a typed client gets a union rather than unknown.
const JsonScalar = [Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Object({}, { additionalProperties: true })];
const Claim = Type.Union([...JsonScalar, Type.Array(Type.Union(JsonScalar))], { description: 'an OIDC claim the account set, or null' });
const Jwk = Type.Object({ kty: Type.Literal('EC'), crv: Type.Literal('secp256k1'), x: Type.String(), y: Type.String() });

/** GET /account/my_info: OIDC-style claims, the account's kind and domain, and its ID wallet (public key only). */
export const MyInfoResult = Type.Object(
  {
    account_id: Type.String(),
    oidc_issuer_url: Type.Null(),
    sub: Type.String(),
    name: Nullable(Type.String()),
    given_name: Claim,
    family_name: Claim,
    middle_name: Claim,
    nickname: Claim,
    preferred_username: Nullable(Type.String()),
    profile: Claim,
    picture: Nullable(Type.String()),
    website: Claim,
    email: Nullable(Type.String()),
    email_verified: Type.Boolean(),
    gender: Claim,
    birthdate: Claim,
    zoneinfo: Claim,
    locale: Claim,
    phone_number: Nullable(Type.String()),
    phone_number_verified: Type.Boolean(),
    address: Claim,
    account_type: Type.Union([Type.Literal('end_user'), Type.Literal('organization')]),
    domain: Nullable(Type.String()),
    domain_verified: Type.Boolean(),
    id_wallet: Type.Object({
      address: Type.String(),
      jwk_encrypted: Type.Intersect([Jwk], { description: 'the wallet’s public key (the Web3Connect document’s name; no private part)' }),
      owner: Type.String(),
      created_date_string: Type.String(),
      created_at: Type.String(),
      updated_at: Type.String(),
    }),
    created_at: Type.String({ description: 'ISO 8601' }),
    updated_at: Type.String({ description: 'ISO 8601' }),
  },
  { $id: 'MyInfo' },
);

/** The JSON Web Key Set of the token signing keys (public parts). */
export const JwksResult = Type.Object({
  keys: Type.Array(Type.Object({ kty: Type.String(), kid: Type.String(), alg: Type.Optional(Type.String()), use: Type.Optional(Type.String()) }, { additionalProperties: true })),
});
