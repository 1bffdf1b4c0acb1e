import type { RouteExample } from '@w3kit/core';
import { CONFIGURATIONS } from './metadata.js';

/** Request examples of the OpenID4VCI routes, for the API reference. */
export const oid4vciExamples: Record<string, RouteExample> = {
  // a Credential Request of OpenID4VCI 1.0 §8.2: the configuration and one key proof (JWT, shortened)
  'POST /credential': {
    body: {
      credential_configuration_id: CONFIGURATIONS.sdJwt,
      proofs: { jwt: ['eyJ0eXAiOiJvcGVuaWQ0dmNpLXByb29mK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7fX0.eyJhdWQiOiJodHRwOi8vbG9jYWxob3N0OjMwMDAiLCJub25jZSI6IjEyMyJ9.c2lnbmF0dXJl'] },
    },
  },
};

/** Request examples of the offer routes under `/v2`. */
export const oid4vciOfferExamples: Record<string, RouteExample> = {
  'POST /oid4vci/offers': { body: { credential_configuration_id: CONFIGURATIONS.sdJwt, tx_code: 'email' } },
  'POST /oid4vci/credentials/revoke': { body: { uri: 'http://localhost:3000/oid4vci/status-lists/1', idx: 42 } },
};
