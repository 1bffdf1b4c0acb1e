import type { RouteExample } from '@w3kit/core';

// The Finenex document's request samples (its curl examples), with its type templates made valid values.
const HOLDER = 'did:ethr:0x38b45217e81548733f9fd7443ecfe4ea6b5725cf';
const VERIFIER = 'did:ethr:0xd284cdc964af8a01d82d0caa7deeba82785b54f4';
/** The Finenex document's sample VC (a JWT VC by its issuer: it parses, its issuer is not this kit's). */
const SEED_VC = {
  credentialSubject: { name: 'Hong', sub: 'test', id: HOLDER },
  issuanceDate: '2022-10-21T05:56:06.000Z',
  proof: {
    type: 'JwtProof2020',
    jwt: 'eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ.eyJ2YyI6eyJAY29udGV4dCI6WyJodHRwczovL3d3dy53My5vcmcvMjAxOC9jcmVkZW50aWFscy92MSJdLCJ0eXBlIjpbIlZlcmlmaWFibGVDcmVkZW50aWFsIiwiUHJvZmlsZSJdLCJjcmVkZW50aWFsU3ViamVjdCI6eyJuYW1lIjoiSG9uZyIsInN1YiI6InRlc3QifX0sInN1YiI6ImRpZDpldGhyOjB4MzhiNDUyMTdlODE1NDg3MzNmOWZkNzQ0M2VjZmU0ZWE2YjU3MjVjZiIsIm5iZiI6MTY2NjMzMTc2NiwiaXNzIjoiZGlkOmV0aHI6MHhkMjg0Y2RjOTY0YWY4YTAxZDgyZDBjYWE3ZGVlYmE4Mjc4NWI1NGY0In0.IvrseTkX-lnadHg7TrPcBaTC5utYIr72nbQRgdNS_jwSPy4fypUxu7_2xaJw1IqHy71-uTp1B52hAz7ZeRb89g',
  },
  type: ['VerifiableCredential', 'Profile'],
  '@context': ['https://www.w3.org/2018/credentials/v1'],
  issuer: { id: VERIFIER },
};
/** A VP as create-vp answers it (JWT proof; the JWT shortened: an example of the shape). */
const SAMPLE_VP = {
  '@context': ['https://www.w3.org/2018/credentials/v1'],
  type: ['VerifiablePresentation'],
  holder: HOLDER,
  verifiableCredential: [SEED_VC],
  proof: { type: 'JwtProof2020', jwt: 'eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ.eyJ2cCI6e319.c2lnbmF0dXJl' },
};
const LOGIN_REQUEST = 'https://shop.example/login?requestId=7b1e4c2a9f3d';

/** Request examples of the Finenex DID, credential and app-login routes. */
export const didFinenexExamples: Record<string, RouteExample> = {
  'POST /did/create-did': { body: { alias: '4700634FB09E0019', address: '0x38b45217e81548733f9fd7443ecfe4ea6b5725cf', secretKey: 'a728102d411b1871f7ae91505b4e1558' } },
  'POST /did/create-vc': { body: { holder: HOLDER, userInfo: { name: 'Hong' } } },
  'POST /did/verify-vc': { body: SEED_VC },
  'POST /did/create-vp': { body: { holder: HOLDER, verifier: VERIFIER, credentials: [SEED_VC] } },
  'POST /did/verify-vp': { body: SAMPLE_VP },
  'POST /did/revoke-vc': { body: { credentialId: 'urn:uuid:0b6f8a52-3c1e-4d7a-9f2b-6e5d4c3b2a19' } },
  'GET /did/status-lists/:id': { params: { id: '3f2b8c1e-6d4a-4e9b-8a7c-1d2e3f4a5b6c' } },
  'POST /auth/auth-user-with-vp': { body: { requestId: LOGIN_REQUEST, vp: SAMPLE_VP } },
  'POST /auth/auth-user-by-app': { body: { requestId: 'https://shop.example/login?', waitTime: 120 } },
  'POST /auth/cancel-auth-user-by-app': { body: { requestId: LOGIN_REQUEST, resultToken: 'rt_5c9e2b7a1d4f8e3c6b0a9d2e7f1c4b8a' } },
  'POST /auth/auth-user-result-by-app': { body: { requestId: LOGIN_REQUEST, resultToken: 'rt_5c9e2b7a1d4f8e3c6b0a9d2e7f1c4b8a' } },
};

/** Request examples of the W3C VC-API routes. */
export const vcApiExamples: Record<string, RouteExample> = {
  'POST /credentials/issue': {
    body: {
      credential: {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        type: ['VerifiableCredential'],
        credentialSubject: { id: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', name: 'Hong' },
      },
      options: { format: 'eddsa-rdfc-2022' },
    },
  },
  'POST /credentials/verify': { body: { verifiableCredential: SEED_VC } },
  'POST /presentations/verify': { body: { verifiablePresentation: SAMPLE_VP, options: { challenge: 'c-7b1e4c2a', domain: 'shop.example' } } },
  'POST /credentials/status': {
    body: { credentialId: 'urn:uuid:0b6f8a52-3c1e-4d7a-9f2b-6e5d4c3b2a19', credentialStatus: { type: 'BitstringStatusListEntry', statusPurpose: 'revocation' }, status: true },
  },
};
